// The "temporarily unavailable" answer (server/unavailable.mjs) on a real HTTP server: a 5xx the portal starts is held
// back and replaced by a translated 503 page with Retry-After and the request id when a dependency is down, and passes
// unchanged otherwise; other statuses are never touched.
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// prettier-ignore
// @ts-expect-error -- plain JavaScript module without types (it runs without a build step)
import { holdServerErrors, isFetchAction, loadTexts, localeOf, unavailableActionAnswer, unavailableResponse } from "../server/unavailable.mjs";

const texts = loadTexts(path.resolve(__dirname, ".."));
let down: string[] = [];
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    // The decision server/main.mjs makes.
    holdServerErrors(res, async (_status: number, contentType: string) => {
      if (!down.length) return null;
      if (isFetchAction(req) && contentType.startsWith("text/x-component")) return unavailableActionAnswer("ref-123");
      return unavailableResponse(texts, localeOf(req), "ref-123", req.url!.startsWith("/api/"));
    });
    // As Next answers: headers set first, the status by property or writeHead, the body streamed.
    const status = Number(new URL(req.url!, "http://x").searchParams.get("status"));
    res.setHeader("Content-Type", req.url!.includes("flight") ? "text/x-component" : "text/html; charset=utf-8");
    res.setHeader("Content-Length", "9");
    if (req.url!.includes("writeHead")) res.writeHead(status);
    else res.statusCode = status;
    res.write("oops ");
    res.end("body");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("holdServerErrors", () => {
  it("replaces a 5xx with the translated 503 page while a dependency is down", async () => {
    down = ["database"];
    for (const [url, lang, title] of [
      ["/nl/recover?status=500", "nl", "Tijdelijk niet beschikbaar"],
      ["/en/recover?status=500&writeHead", "en", "Temporarily unavailable"],
    ] as const) {
      const res = await fetch(base + url);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("30");
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const html = await res.text();
      expect(html).toContain(`<html lang="${lang}">`);
      expect(html).toContain(title);
      expect(html).toContain("ref-123");
      expect(html).not.toContain("oops");
    }
    const api = await fetch(`${base}/api/captcha/image?status=502`);
    expect(api.status).toBe(503);
    expect(await api.json()).toEqual({ error: "unavailable", reference: "ref-123" });
  });

  it("keeps a failed server action's Flight answer (its error holds the reference) as 503 with Retry-After while a dependency is down", async () => {
    down = ["database"];
    const action = { method: "POST", headers: { "Next-Action": "7f3a9c", "Content-Type": "text/plain;charset=UTF-8" }, body: "[]" };
    const res = await fetch(`${base}/nl/recover/verify?status=500&flight`, action);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    expect(res.headers.get("x-request-id")).toBe("ref-123");
    expect(res.headers.get("content-type")).toBe("text/x-component");
    expect(await res.text()).toBe("oops body");
    // The same form posted without JavaScript (no Next-Action header) gets the HTML page.
    const plainPost = await fetch(`${base}/nl/recover/verify?status=500`, { method: "POST", body: new FormData() });
    expect(plainPost.status).toBe(503);
    expect(await plainPost.text()).toContain("Tijdelijk niet beschikbaar");
    down = [];
    const healthy = await fetch(`${base}/nl/recover/verify?status=500&flight`, action);
    expect(healthy.status).toBe(500);
    expect(healthy.headers.get("retry-after")).toBeNull();
  });

  it("lets a 5xx through unchanged when every dependency answers, and never touches other statuses", async () => {
    down = [];
    const error = await fetch(`${base}/nl?status=500`);
    expect(error.status).toBe(500);
    expect(await error.text()).toBe("oops body");
    down = ["database"];
    const ok = await fetch(`${base}/nl?status=200`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("oops body");
  });

  it("keeps the portal's own 503 page (the account service page) while a dependency is down", async () => {
    down = ["directory"];
    for (const url of ["/nl/unavailable?status=503", "/en/unavailable?status=503&writeHead"]) {
      const res = await fetch(base + url);
      expect(res.status).toBe(503);
      expect(await res.text()).toBe("oops body");
    }
  });

  it("picks the language from the path, then the locale cookie, then the browser", () => {
    const req = (url: string, headers: Record<string, string> = {}) => ({ url, headers });
    expect(localeOf(req("/en/help"))).toBe("en");
    expect(localeOf(req("/dev/outbox", { cookie: "a=b; NEXT_LOCALE=en" }))).toBe("en");
    expect(localeOf(req("/", { "accept-language": "en-GB,en;q=0.9" }))).toBe("en");
    expect(localeOf(req("/", { "accept-language": "de-DE" }))).toBe("nl");
  });
});
