// "Wie bent u?" with hCaptcha, through the real server action on both drivers (Next's request plumbing replaced by stubs):
// a verified token starts the flow; a refused, failing or slow siteverify refuses with its message and audit event; the
// no-JavaScript fallback takes the built-in CAPTCHA (or, switched off, says JavaScript is needed) and never asks hCaptcha.
import { asc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { newChallenge } from "@/lib/captcha/builtin";
import { hcaptchaStandInForFile } from "@/lib/captcha/hcaptcha.test-helper";
import { HCAPTCHA_TEST_SITE_KEY, type AppConfig } from "@/lib/config";
import type { Db, DbHandle } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { keyedHash } from "@/lib/security/keyed-hash";
import { drivers, freshDb } from "@/tests/db";
import type { IdentifyState } from "./actions";

const stubs = vi.hoisted(() => {
  class Redirected extends Error {
    constructor(readonly href: string) {
      super(`redirect to ${href}`);
    }
  }
  return { Redirected, db: null as unknown, config: null as unknown, ip: "", savedTokens: [] as string[] };
});

vi.mock("next/server", () => ({ after: () => {} }));
vi.mock("next-intl/server", () => ({ getLocale: async () => "nl" }));
vi.mock("@/lib/i18n/navigation", () => ({
  redirect: ({ href }: { href: string }) => {
    throw new stubs.Redirected(href);
  },
}));
vi.mock("@/lib/security/request-context", () => ({
  getRequestContext: async () => ({ ip: stubs.ip, userAgent: "vitest/identify", locale: "nl", requestId: "vitest" }),
}));
vi.mock("./session", () => ({
  currentFlowToken: async () => null,
  getFlowCookie: async () => {
    const cookie = {
      token: undefined as string | undefined,
      save: async () => {
        if (cookie.token) stubs.savedTokens.push(cookie.token);
      },
      destroy: () => {},
    };
    return cookie;
  },
}));
vi.mock("@/lib/db/client", async (importOriginal) => ({ ...(await importOriginal<object>()), getDb: async () => stubs.db }));
vi.mock("@/lib/config", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/config")>();
  return { ...original, getConfig: () => (stubs.config as AppConfig | null) ?? original.getConfig() };
});

const { startRecoveryAction } = await import("./actions");

const TEST_ANSWER = "AdE4rT";
const USER_ID = "iemand.onbekend@example.nl";
const { standIn, configFor } = hcaptchaStandInForFile();
let ipCount = 0;

/** The portal's configuration for the next request (getConfig is stubbed to return it). */
function useConfig(env: Record<string, string> = {}) {
  stubs.config = configFor(env);
}

/** Posts the identify form as the browser would, from a new IP each time (so no test meets another's limits). */
async function submit(fields: Record<string, string>): Promise<{ state?: IdentifyState; redirectedTo?: string; ip: string }> {
  const ip = `198.51.100.${++ipCount}`;
  stubs.ip = ip;
  const form = new FormData();
  for (const [name, value] of Object.entries({ userId: USER_ID, intent: "", op: "next", ...fields })) form.set(name, value);
  try {
    return { state: await startRecoveryAction({ status: "idle" }, form), ip };
  } catch (error) {
    if (error instanceof stubs.Redirected) return { redirectedTo: error.href, ip };
    throw error;
  }
}

const widgetToken = () => standIn().issueToken({ sitekey: HCAPTCHA_TEST_SITE_KEY, hostname: "localhost" });

/** A built-in challenge whose answer is known, as the no-JavaScript fallback shows it. */
async function knownChallenge(): Promise<string> {
  vi.stubEnv("CAPTCHA_TEST_ANSWER", TEST_ANSWER);
  try {
    return await newChallenge();
  } finally {
    vi.unstubAllEnvs();
  }
}

afterEach(() => {
  stubs.config = null;
});

describe.each(drivers())("“Wie bent u?” with hCaptcha on %s", (driver) => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await freshDb(driver);
    stubs.db = handle.db;
  });
  afterAll(async () => {
    await handle?.close();
  });

  const eventsFrom = async (ip: string) =>
    (handle.db as Db).select().from(auditEvents).where(eq(auditEvents.ip, ip)).orderBy(asc(auditEvents.id));

  it("a token the widget issued is verified once (with the client's IP) and the wizard moves on to the reason step", async () => {
    useConfig();
    const token = widgetToken();
    const { redirectedTo, ip } = await submit({ "h-captcha-response": token });
    expect(redirectedTo).toBe("/recover/reason");
    expect(stubs.savedTokens.length).toBeGreaterThan(0);
    expect(standIn().verifications()).toMatchObject([{ response: token, remoteip: ip, sitekey: HCAPTCHA_TEST_SITE_KEY }]);
    expect((await eventsFrom(ip)).map((e) => e.event)).toEqual(["recovery.started"]);
  });

  it("siteverify says no: refused with “complete it again”, audited with hCaptcha's error code and as a failed CAPTCHA", async () => {
    useConfig();
    standIn().setMode("fail");
    const { state, ip } = await submit({ "h-captcha-response": widgetToken() });
    expect(state).toMatchObject({
      status: "invalid",
      fieldErrors: { captchaWidget: "errors.hcaptchaFailed" },
      values: { userId: USER_ID },
    });
    expect(standIn().verifications()).toHaveLength(1);
    const events = await eventsFrom(ip);
    expect(events.map((e) => [e.event, e.outcome, e.reason])).toEqual([
      ["captcha.verify_failed", "failure", "invalid-input-response"],
      ["recovery.captcha_failed", "failure", "wrong-captcha"],
    ]);
    expect(events[0]).toMatchObject({
      subjectHash: keyedHash("user-id", USER_ID),
      userAgent: "vitest/identify",
      locale: "nl",
      flowId: null,
    });
  });

  it("a token solved on another site is refused although siteverify accepts it", async () => {
    useConfig();
    const { state, ip } = await submit({
      "h-captcha-response": standIn().issueToken({ sitekey: HCAPTCHA_TEST_SITE_KEY, hostname: "phishing.example" }),
    });
    expect(state).toMatchObject({ fieldErrors: { captchaWidget: "errors.hcaptchaFailed" } });
    expect((await eventsFrom(ip))[0]).toMatchObject({ event: "captcha.verify_failed", reason: "hostname-mismatch" });
  });

  for (const [mode, reason] of [
    ["error", "http-500"],
    ["slow", "timeout"],
  ] as const) {
    it(`siteverify ${mode === "error" ? "answers HTTP 500" : "is slower than the timeout"}: refused with “could not check the CAPTCHA”, audited as ${reason}, one request`, async () => {
      useConfig();
      standIn().setMode(mode);
      const { state, ip } = await submit({ "h-captcha-response": widgetToken() });
      expect(state).toMatchObject({ status: "invalid", fieldErrors: { captchaWidget: "errors.captchaUnavailable" } });
      expect(standIn().verifications()).toHaveLength(1);
      // The provider's trouble is not the user's failed CAPTCHA.
      expect((await eventsFrom(ip)).map((e) => [e.event, e.reason])).toEqual([["captcha.unavailable", reason]]);
    });
  }

  it("hCaptcha refusing the portal's own secret: the user sees “could not check”, the audit names the error code", async () => {
    useConfig({ HCAPTCHA_SECRET: "0x2222222222222222222222222222222222222222" });
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const { state, ip } = await submit({ "h-captcha-response": widgetToken() });
    expect(state).toMatchObject({ fieldErrors: { captchaWidget: "errors.captchaUnavailable" } });
    expect((await eventsFrom(ip)).map((e) => [e.event, e.reason])).toEqual([["captcha.verify_failed", "invalid-input-secret"]]);
    expect(error.mock.calls.join(" ")).toContain("HCAPTCHA_SECRET");
    expect(error.mock.calls.join(" ")).not.toContain("0x2222");
    error.mockRestore();
  });

  it("without a token (the box not ticked) the user is asked to complete the CAPTCHA; nothing is sent or counted", async () => {
    useConfig();
    const { state, ip } = await submit({});
    expect(state).toMatchObject({ status: "invalid", fieldErrors: { captchaWidget: "errors.hcaptchaRequired" } });
    expect(standIn().verifications()).toHaveLength(0);
    expect(await eventsFrom(ip)).toEqual([]);
  });

  it("without JavaScript the built-in CAPTCHA from <noscript> is checked instead, and hCaptcha is never asked", async () => {
    useConfig();
    const right = await submit({ noscript: "1", captchaToken: await knownChallenge(), captcha: TEST_ANSWER });
    expect(right.redirectedTo).toBe("/recover/reason");
    const wrong = await submit({ noscript: "1", captchaToken: await knownChallenge(), captcha: "wrong1" });
    expect(wrong.state).toMatchObject({ status: "invalid", fieldErrors: { captcha: "errors.captchaWrong" } });
    expect((await eventsFrom(wrong.ip)).map((e) => e.event)).toEqual(["recovery.captcha_failed"]);
    const empty = await submit({ noscript: "1", captchaToken: await knownChallenge(), captcha: "" });
    expect(empty.state).toMatchObject({ status: "invalid", fieldErrors: { captcha: "errors.captchaRequired" } });
    expect(standIn().verifications()).toHaveLength(0);
  });

  it("with the fallback off, a browser without JavaScript is told that JavaScript is needed, even with a right built-in answer", async () => {
    useConfig({ HCAPTCHA_NOJS_FALLBACK: "off" });
    const { state, ip } = await submit({ noscript: "1", captchaToken: await knownChallenge(), captcha: TEST_ANSWER });
    expect(state).toMatchObject({ status: "refused", formError: "errors.javascriptRequired" });
    expect(await eventsFrom(ip)).toEqual([]);
  });
});
