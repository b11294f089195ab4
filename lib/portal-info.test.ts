// The test-mode banner: in test mode, and for requests from this machine only (the fixed answer passes nowhere else).
import { afterEach, describe, expect, it, vi } from "vitest";
import { readConfig, type AppConfig } from "@/lib/config";

const stubs = vi.hoisted(() => ({ config: null as unknown, headers: {} as Record<string, string> }));
vi.mock("next/headers", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  headers: async () => new Headers(stubs.headers),
}));
vi.mock("@/lib/config", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/config")>();
  return { ...original, getConfig: () => stubs.config as AppConfig };
});

const { testBannerShown } = await import("./portal-info");

afterEach(() => {
  stubs.headers = {};
});

describe("testBannerShown", () => {
  it("shows the banner in test mode to this machine, and to no peer from elsewhere", async () => {
    stubs.config = readConfig({ ...process.env, CAPTCHA_TEST_ANSWER: "AdE4rT" });
    for (const peer of ["127.0.0.1", "::1"]) {
      stubs.headers = { "x-toegang-peer": peer };
      expect(await testBannerShown(), peer).toBe(true);
    }
    const elsewhere: Array<Record<string, string>> = [
      { "x-toegang-peer": "10.1.2.3" },
      { "x-toegang-peer": "10.1.2.3", "x-forwarded-for": "127.0.0.1" },
      {},
    ];
    for (const headers of elsewhere) {
      stubs.headers = headers;
      expect(await testBannerShown(), JSON.stringify(headers)).toBe(false);
    }
  });

  it("shows no banner outside test mode, not even to this machine", async () => {
    stubs.config = readConfig({ ...process.env, CAPTCHA_TEST_ANSWER: "" });
    stubs.headers = { "x-toegang-peer": "127.0.0.1" };
    expect(await testBannerShown()).toBe(false);
  });
});
