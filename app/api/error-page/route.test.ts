// GET /api/error-page: the error page's texts, translated on the server in the page's language and chosen by readiness,
// repeating a reference only when it has the form of a request id, never cached.
import { beforeEach, describe, expect, it, vi } from "vitest";
import en from "@/messages/en.json";
import nl from "@/messages/nl.json";
import type { ErrorPageTexts } from "@/lib/i18n/error-page-texts";

const stubs = vi.hoisted(() => ({ ready: true }));
vi.mock("next-intl/server", async () => {
  const { createTranslator } = await import("next-intl");
  const catalogues = { nl: (await import("@/messages/nl.json")).default, en: (await import("@/messages/en.json")).default };
  return {
    getTranslations: async ({ locale, namespace }: { locale: "nl" | "en"; namespace: string }) =>
      createTranslator({ locale, messages: catalogues[locale], namespace: namespace as never }),
  };
});
vi.mock("@/lib/health", () => ({
  checkReadiness: async () => ({
    ready: stubs.ready,
    checks: { database: stubs.ready ? "ok" : "unreachable", migrations: "ok", directory: "not-configured" },
  }),
}));

const { GET } = await import("./route");
const texts = async (query: string) => {
  const res = await GET(new Request(`http://localhost/api/error-page${query}`));
  expect(res.status).toBe(200);
  expect(res.headers.get("cache-control")).toBe("no-store");
  return (await res.json()) as ErrorPageTexts;
};

describe("GET /api/error-page", () => {
  beforeEach(() => {
    stubs.ready = true;
  });

  it("says something went wrong, in Dutch, with the reference", async () => {
    expect(await texts("?lang=nl&ref=3f2a9c1e-7b4d-4e8a-9c1f-0a1b2c3d4e5f")).toEqual({
      unavailable: false,
      title: nl.ErrorPage.title,
      body: nl.ErrorPage.body,
      reference: nl.ErrorPage.reference.replace("{id}", "3f2a9c1e-7b4d-4e8a-9c1f-0a1b2c3d4e5f"),
      retry: nl.ErrorPage.retry,
      home: nl.ErrorPage.home,
    });
  });

  it("says temporarily unavailable when a dependency is down, in English when asked", async () => {
    stubs.ready = false;
    const got = await texts("?lang=en&ref=abc123");
    expect(got).toMatchObject({ unavailable: true, title: en.ErrorPage.unavailableTitle, body: en.ErrorPage.unavailableBody });
    expect(got.reference).toBe(en.ErrorPage.reference.replace("{id}", "abc123"));
  });

  it("takes readiness from the portal's server when it runs there (its answer cached for 2 s), not a check per request", async () => {
    const { serverBridge } = await import("@/lib/server-bridge");
    const bridge = serverBridge();
    bridge.dependenciesDown = async () => ["directory"];
    try {
      expect(await texts("?lang=nl")).toMatchObject({ unavailable: true, title: nl.ErrorPage.unavailableTitle });
      bridge.dependenciesDown = async () => [];
      stubs.ready = false; // the per-request check would say otherwise; the server's answer counts
      expect(await texts("?lang=nl")).toMatchObject({ unavailable: false, title: nl.ErrorPage.title });
    } finally {
      delete bridge.dependenciesDown;
    }
  });

  it("answers in Dutch for an unknown or missing language", async () => {
    expect((await texts("?lang=fr")).title).toBe(nl.ErrorPage.title);
    expect((await texts("")).title).toBe(nl.ErrorPage.title);
  });

  it("repeats no reference that is not a request id (no markup, no long text)", async () => {
    expect((await texts("?lang=nl")).reference).toBeNull();
    expect((await texts(`?lang=nl&ref=${encodeURIComponent("<script>x</script>")}`)).reference).toBeNull();
    expect((await texts(`?lang=nl&ref=${"a".repeat(65)}`)).reference).toBeNull();
  });
});
