// What `npm start`'s server adds to every request: a request id (a proxy's valid one kept, anything else replaced),
// the body limit (413 before the body is read, 411 for a body of unknown length), the health endpoints, and a metrics
// endpoint that does not exist without METRICS_TOKEN. A client's own x-toegang-peer header never reaches the portal.
import http from "node:http";
import { expect, test } from "@playwright/test";
import { startPortal, type Portal } from "./portal-process";

let portal: Portal;
test.beforeAll(async () => {
  portal = await startPortal({ MAX_REQUEST_BODY_KB: "4" });
});
test.afterAll(async () => {
  await portal?.stop("SIGKILL");
  portal?.cleanUp();
});

test("every answer carries a request id: a valid one from a proxy is kept, anything else replaced", async () => {
  const fresh = await fetch(`${portal.url}/nl`);
  expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  const kept = await fetch(`${portal.url}/nl`, { headers: { "X-Request-Id": "nginx-4f2a9c" } });
  expect(kept.headers.get("x-request-id")).toBe("nginx-4f2a9c");
  const replaced = await fetch(`${portal.url}/nl`, { headers: { "X-Request-Id": "a b<script>" } });
  expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  const line = portal.lines.find((l) => typeof l === "object" && l.msg === "request" && l.reqId === "nginx-4f2a9c");
  expect(line).toMatchObject({ method: "GET", route: "/nl", status: 200 });
});

test("a body over MAX_REQUEST_BODY_KB gets 413, and one of unknown length 411, before anything reads it", async () => {
  const big = await fetch(`${portal.url}/nl`, { method: "POST", body: "x".repeat(5 * 1024), headers: { "Content-Type": "text/plain" } });
  expect(big.status).toBe(413);
  const chunked = await new Promise<number>((resolve, reject) => {
    const req = http.request(`${portal.url}/nl`, { method: "POST", headers: { "Transfer-Encoding": "chunked" } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.write("abc");
    req.end();
  });
  expect(chunked).toBe(411);
});

test("health: live and ready answer 200 with states only; metrics do not exist without a token", async () => {
  const live = await fetch(`${portal.url}/api/health/live`);
  expect(live.status).toBe(200);
  expect(await live.json()).toEqual({ status: "live" });
  const ready = await fetch(`${portal.url}/api/health/ready`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: "ready", checks: { database: "ok", migrations: "ok", directory: "not-configured" } });
  expect((await fetch(`${portal.url}/api/metrics`)).status).toBe(404);
});

test("the start logs 'ready' only after the database is ready", () => {
  const messages = portal.lines.map((l) => (typeof l === "object" ? String(l.msg) : l));
  const database = messages.findIndex((m) => m.startsWith("Toegang: database ready"));
  const ready = messages.findIndex((m) => m.startsWith("Toegang is ready"));
  expect(database).toBeGreaterThanOrEqual(0);
  expect(ready).toBeGreaterThan(database);
});
