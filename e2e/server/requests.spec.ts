// What `npm start`'s server adds to every request: a request id (a proxy's valid one kept, anything else replaced),
// the body limit (413 before the body is read, 411 for a body of unknown length), the health endpoints, and a metrics
// endpoint that does not exist without METRICS_TOKEN and answers only that token with it. A client's own x-toegang-peer
// header never reaches the portal. The quick start prints its demo users before "ready".
import http from "node:http";
import { expect, test } from "@playwright/test";
import { startPortal, type Portal } from "./portal-process";

let portal: Portal;
test.beforeAll(async () => {
  portal = await startPortal({ MAX_REQUEST_BODY_KB: "4", LIMIT_CAPTCHA_IMAGES_PER_IP_PER_HOUR: "3" });
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

test("the CAPTCHA picture, answered by the server ahead of Next: a PNG with the security headers, 404 for a bad token, the per-IP limit, logged", async () => {
  const page = await (await fetch(`${portal.url}/nl/recover`)).text();
  const token = /name="captchaToken" value="([\w-]+)"/.exec(page)?.[1];
  expect(token).toBeTruthy();
  const picture = await fetch(`${portal.url}/api/captcha/image?t=${token}`, { headers: { "X-Request-Id": "picture-1" } });
  expect(picture.status).toBe(200);
  expect(picture.headers.get("content-type")).toBe("image/png");
  expect(
    Buffer.from(await picture.arrayBuffer())
      .subarray(1, 4)
      .toString("ascii"),
  ).toBe("PNG");
  for (const [name, value] of Object.entries({
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "x-request-id": "picture-1",
  })) {
    expect(picture.headers.get(name), name).toBe(value);
  }
  const twice = await fetch(`${portal.url}/api/captcha/image?t=${token}&x=2`);
  expect(twice.status).toBe(200);
  expect(Buffer.from(await twice.arrayBuffer()).readUInt32BE(16)).toBe(480);
  // The same plain 404 as the route handler's for a token that is not one; the third picture this hour is the limit's last.
  const bad = await fetch(`${portal.url}/api/captcha/image?t=${token!.slice(0, -2)}AA`);
  expect([bad.status, await bad.text()]).toEqual([404, "Not found\n"]);
  const limited = await fetch(`${portal.url}/api/captcha/image?t=${token}`);
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  const line = portal.lines.find((l) => typeof l === "object" && l.msg === "request" && l.reqId === "picture-1");
  expect(line).toMatchObject({ method: "GET", route: "/api/captcha/image", status: 200 });
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

test("the quick start prints the demo users with their passwords before 'ready', not after a first request", () => {
  // The portal's console output reaches the log as JSON lines (server/log.mjs); the list is one message.
  const texts = portal.lines.map((l) => (typeof l === "object" ? String(l.msg) : l));
  const ready = texts.findIndex((m) => m.startsWith("Toegang is ready"));
  const firstRequest = portal.lines.findIndex((l) => typeof l === "object" && l.msg === "request");
  expect(ready).toBeGreaterThanOrEqual(0);
  for (const [user, password] of [
    ["jan.jansen", "Zeilboot2026!"],
    ["petra.devries", "Tulpenbol2026!"],
    ["kees.bakker", "Fietsen2026!"],
    ["beheer", "Stempelkussen2026!"],
  ]) {
    const listed = new RegExp(`^\\s*${user}@\\S+\\s+${password}\\s`, "m");
    const line = texts.findIndex((m) => listed.test(m));
    expect(line, `${user} with their password in the start's output`).toBeGreaterThanOrEqual(0);
    expect(line).toBeLessThan(ready);
    expect(firstRequest === -1 || line < firstRequest).toBe(true);
  }
});

test.describe("metrics with METRICS_TOKEN", () => {
  const TOKEN = "requests-spec-metrics-token-0123456789";
  let scraped: Portal;
  test.beforeAll(async () => {
    scraped = await startPortal({ METRICS_TOKEN: TOKEN });
  });
  test.afterAll(async () => {
    await scraped?.stop("SIGKILL");
    scraped?.cleanUp();
  });

  test("a missing or wrong token gets 401; the right one shows requests by route and status, their latency and the gauges", async () => {
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, TOKEN]) {
      const refused = await fetch(`${scraped.url}/api/metrics`, { headers: authorization ? { Authorization: authorization } : {} });
      expect(refused.status, `Authorization: ${authorization}`).toBe(401);
      expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
    }
    expect((await fetch(`${scraped.url}/nl`)).status).toBe(200);
    expect((await fetch(`${scraped.url}/nl/bestaat-niet`)).status).toBe(404);
    const answer = await fetch(`${scraped.url}/api/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(answer.status).toBe(200);
    const text = await answer.text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1]);
    expect(value('toegang_http_requests_total{route="/:locale",method="GET",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(value('toegang_http_requests_total{route="unmatched",method="GET",status="404"}')).toBeGreaterThanOrEqual(1);
    expect(value('toegang_http_request_duration_seconds_count{route="/:locale",method="GET"}')).toBeGreaterThanOrEqual(1);
    expect(value('toegang_database_up{dependency="database"}')).toBe(1);
    expect(value("toegang_sms_breaker_open")).toBe(0);
    expect(value("toegang_message_queue_pending")).toBe(0);
    // The token itself never appears in what is scraped.
    expect(text).not.toContain(TOKEN);
  });
});
