// The proxy's headers that must not come from the request (issue 10, item 8): the `Link` header's alternates are built
// from BASE_URL, whatever Host or X-Forwarded-Host says, and the NEXT_LOCALE cookie is Secure exactly when the portal's
// cookies are (COOKIE_SECURE).
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { alternateLinks } from "@/lib/i18n/alternate-links";
import { ACTION_BODY_LIMIT_BYTES } from "@/lib/security/action-request";

const stub = vi.hoisted(() => ({ cookieSecure: true }));
vi.mock("@/lib/config", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/config")>();
  return {
    ...original,
    getConfig: () => ({ ...original.getConfig(), baseUrl: "https://toegang.example.nl", cookieSecure: stub.cookieSecure }),
  };
});

/** A fresh proxy module (the locale middleware is built once per process from the configuration). */
async function proxyWith(cookieSecure: boolean) {
  stub.cookieSecure = cookieSecure;
  vi.resetModules();
  return (await import("@/proxy")).proxy;
}

/** A page request from a browser that last used English, sent with a forged Host and X-Forwarded-Host. */
const pageRequest = (path: string) =>
  new NextRequest(`http://evil.example${path}`, {
    headers: {
      host: "evil.example",
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "http",
      cookie: "NEXT_LOCALE=en",
      "sec-fetch-dest": "document",
    },
  });

describe("proxy headers", () => {
  afterEach(() => {
    stub.cookieSecure = true;
  });

  it("Link names the page's languages at BASE_URL, never at the request's Host", async () => {
    const proxy = await proxyWith(true);
    const response = await proxy(pageRequest("/nl/help"));
    expect(response.status).toBe(200);
    expect(response.headers.get("link")).toBe(
      [
        '<https://toegang.example.nl/nl/help>; rel="alternate"; hreflang="nl"',
        '<https://toegang.example.nl/en/help>; rel="alternate"; hreflang="en"',
        '<https://toegang.example.nl/help>; rel="alternate"; hreflang="x-default"',
      ].join(", "),
    );
    expect(response.headers.get("link")).not.toContain("evil.example");
  });

  it("the language cookie is Secure when the portal's cookies are, and only then", async () => {
    const secure = (await (await proxyWith(true))(pageRequest("/nl/help"))).headers.get("set-cookie") ?? "";
    expect(secure).toMatch(/^NEXT_LOCALE=nl;/);
    expect(secure).toMatch(/;\s*Secure/i);
    expect(secure).toMatch(/SameSite=lax/i);
    const plain = (await (await proxyWith(false))(pageRequest("/nl/help"))).headers.get("set-cookie") ?? "";
    expect(plain).toMatch(/^NEXT_LOCALE=nl;/);
    expect(plain).not.toMatch(/Secure/i);
  });

  it("alternateLinks: localised pages only, trailing slashes dropped, the home page too", () => {
    const base = "https://toegang.example.nl/";
    expect(alternateLinks(base, "/api/captcha/image")).toBeNull();
    expect(alternateLinks(base, "/dev/outbox")).toBeNull();
    expect(alternateLinks(base, "/nlx")).toBeNull();
    expect(alternateLinks(base, "/en/recover/code/")).toContain("<https://toegang.example.nl/nl/recover/code>");
    expect(alternateLinks(base, "/nl")).toBe(
      '<https://toegang.example.nl/nl>; rel="alternate"; hreflang="nl", <https://toegang.example.nl/en>; rel="alternate"; hreflang="en", <https://toegang.example.nl/>; rel="alternate"; hreflang="x-default"',
    );
  });
});

describe("server action requests Next could not decode", () => {
  const ACTION = "7f3a9c0e1b2d4f6a8c0e1b2d4f6a8c0e1b2d4f6a8c";
  const post = (body: BodyInit, headers: Record<string, string>) =>
    new NextRequest("http://localhost:3000/nl/recover", {
      method: "POST",
      body,
      headers: { origin: "http://localhost:3000", host: "localhost:3000", ...headers },
    });
  const multipart = (text: string, boundary = "b0undary") => ({ "content-type": `multipart/form-data; boundary=${boundary}`, text });
  const part = (name: string, value: string) => `--b0undary\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;

  it.each([
    ["a truncated multipart body", { "next-action": ACTION }, multipart(part("0", '["$K1"]').slice(0, 30))],
    ["a multipart body with another boundary", { "next-action": ACTION }, multipart(part("0", "[]") + "--b0undary--\r\n", "other")],
    ["multipart without a boundary", {}, { "content-type": "multipart/form-data", text: "x" }],
    ["action arguments that are not JSON", { "next-action": ACTION, "content-type": "text/plain;charset=UTF-8" }, { text: "{not json" }],
    ["action arguments that are not a list", { "next-action": ACTION, "content-type": "text/plain;charset=UTF-8" }, { text: '{"a":1}' }],
    [
      "a Flight reference to a part that does not exist",
      { "next-action": ACTION, "content-type": "text/plain;charset=UTF-8" },
      { text: '["$1"]' },
    ],
    ["a server reference smuggled into the arguments", { "next-action": ACTION }, multipart(part("0", '["$h1"]') + "--b0undary--\r\n")],
    ["a multipart action without its arguments", { "next-action": ACTION }, multipart(part("1_userId", "x") + "--b0undary--\r\n")],
    [
      "a fetch action whose part header Next's own parser (busboy) refuses: a NUL in a field name",
      { "next-action": ACTION },
      multipart(part("0", '["$K1"]') + part("1_user\u0000Id", "x") + "--b0undary--\r\n"),
    ],
    ["an action id that is not one", { "next-action": "../../x", "content-type": "text/plain" }, { text: "[]" }],
    [
      "a no-JavaScript form whose bound action is not JSON",
      {},
      multipart(part("$ACTION_REF_1", "") + part("$ACTION_1:0", "{oops") + "--b0undary--\r\n"),
    ],
  ])("%s: 400 from the proxy", async (_, headers, { text, ...type }) => {
    const proxy = await proxyWith(true);
    const response = await proxy(post(text, { ...headers, ...(type as Record<string, string>) }));
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/^Bad request: /);
  });

  it.each([
    ["a fetch action", { "next-action": ACTION }],
    ["a no-JavaScript form post", {}],
  ])("%s over Next's 64 KB action body limit: 413 from the proxy (Next itself answered 500)", async (_, headers) => {
    const proxy = await proxyWith(true);
    const big = multipart(part("0", '["$K1"]') + part("1_userId", "x".repeat(ACTION_BODY_LIMIT_BYTES)) + "--b0undary--\r\n");
    const response = await proxy(post(big.text, { ...headers, "content-type": big["content-type"] }));
    expect(response.status).toBe(413);
    const fits = multipart(part("0", '["$K1"]') + part("1_userId", "x".repeat(ACTION_BODY_LIMIT_BYTES - 300)) + "--b0undary--\r\n");
    expect((await proxy(post(fits.text, { ...headers, "content-type": fits["content-type"] }))).status).toBe(200);
  });

  it.each([
    [
      "a form's fetch action (state and form)",
      { "next-action": ACTION },
      multipart(part("0", '[{"status":"idle","captchaToken":"$$x"},"$K1"]') + part("1_userId", "jan@example.nl") + "--b0undary--\r\n"),
    ],
    [
      "a form's fetch action with no state yet",
      { "next-action": ACTION, "content-type": "text/plain;charset=UTF-8" },
      { text: '["$undefined"]' },
    ],
    ["a no-JavaScript form post", {}, multipart(part(`$ACTION_ID_${ACTION}`, "") + part("userId", "jan@example.nl") + "--b0undary--\r\n")],
    [
      "a no-JavaScript bound form",
      {},
      multipart(
        part("$ACTION_REF_1", "") +
          part("$ACTION_1:0", `{"id":"${ACTION}","bound":"$@1"}`) +
          part("$ACTION_1:1", '[{"status":"idle"}]') +
          part("$ACTION_KEY", "k1") +
          "--b0undary--\r\n",
      ),
    ],
  ])("%s: passed on to Next", async (_, headers, { text, ...type }) => {
    const proxy = await proxyWith(true);
    const response = await proxy(post(text, { ...headers, ...(type as Record<string, string>) }));
    expect(response.status).toBe(200);
  });
});
