// The proxy's headers that must not come from the request (issue 10, item 8): the `Link` header's alternates are built
// from BASE_URL, whatever Host or X-Forwarded-Host says, and the NEXT_LOCALE cookie is Secure exactly when the portal's
// cookies are (COOKIE_SECURE).
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { alternateLinks } from "@/lib/i18n/alternate-links";

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
    const response = proxy(pageRequest("/nl/help"));
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
    const secure = (await proxyWith(true))(pageRequest("/nl/help")).headers.get("set-cookie") ?? "";
    expect(secure).toMatch(/^NEXT_LOCALE=nl;/);
    expect(secure).toMatch(/;\s*Secure/i);
    expect(secure).toMatch(/SameSite=lax/i);
    const plain = (await proxyWith(false))(pageRequest("/nl/help")).headers.get("set-cookie") ?? "";
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
