// "Wie bent u?" through the real server action on both drivers (Next's request plumbing replaced by stubs). With hCaptcha:
// a verified token starts the flow; a refused, failing or slow siteverify refuses with its message and audit event; the
// no-JavaScript fallback takes the built-in CAPTCHA (or, switched off, says JavaScript is needed) and never asks hCaptcha.
// In test mode: CAPTCHA_TEST_ANSWER passes only from this machine; from anywhere else it is a wrong answer.
import { asc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { newChallenge } from "@/lib/captcha/builtin";
import { solvedChallenge } from "@/lib/captcha/builtin.test-helper";
import { hcaptchaStandInForFile } from "@/lib/captcha/hcaptcha.test-helper";
import { HCAPTCHA_TEST_SITE_KEY, readConfig, type AppConfig } from "@/lib/config";
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
  return { Redirected, db: null as unknown, config: null as unknown, peer: "", forwardedFor: "", savedTokens: [] as string[] };
});

vi.mock("next/server", () => ({ after: () => {} }));
// A Dutch request, translated as the portal's request config does (lib/i18n/request.ts).
vi.mock("next-intl/server", async () => {
  const { createFormatter, createTranslator } = await import("next-intl");
  const { default: messages } = await import("@/messages/nl.json");
  return {
    getLocale: async () => "nl",
    getTranslations: async (namespace: string) => createTranslator({ locale: "nl", messages, namespace: namespace as never }),
    getFormatter: async () => createFormatter({ locale: "nl", timeZone: "Europe/Amsterdam" }),
  };
});
vi.mock("@/lib/i18n/navigation", () => ({
  redirect: ({ href }: { href: string }) => {
    throw new stubs.Redirected(href);
  },
}));
// The real request context and fromThisMachine, on the headers the portal's server passes: the TCP peer it sets
// (x-toegang-peer, lib/security/client-ip.ts) and whatever X-Forwarded-For the request carried.
vi.mock("next/headers", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  headers: async () =>
    new Headers({
      "x-toegang-peer": stubs.peer,
      "user-agent": "vitest/identify",
      ...(stubs.forwardedFor ? { "x-forwarded-for": stubs.forwardedFor } : {}),
    }),
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

/**
 * Posts the identify form as the browser would, from a new IP each time (so no test meets another's limits) unless a
 * TCP peer (and an X-Forwarded-For) is given.
 */
async function submit(
  fields: Record<string, string>,
  from: { peer: string; forwardedFor?: string } = { peer: `198.51.100.${++ipCount}` },
): Promise<{ state?: IdentifyState; redirectedTo?: string; ip: string }> {
  const ip = from.peer;
  stubs.peer = from.peer;
  stubs.forwardedFor = from.forwardedFor ?? "";
  const form = new FormData();
  for (const [name, value] of Object.entries({ userId: USER_ID, intent: "", op: "next", ...fields })) form.set(name, value);
  try {
    return { state: await startRecoveryAction(null, form), ip };
  } catch (error) {
    if (error instanceof stubs.Redirected) return { redirectedTo: error.href, ip };
    throw error;
  }
}

const widgetToken = () => standIn().issueToken({ sitekey: HCAPTCHA_TEST_SITE_KEY, hostname: "localhost" });

afterEach(() => {
  stubs.config = null;
  vi.unstubAllEnvs();
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
    const solved = await solvedChallenge();
    const right = await submit({ noscript: "1", captchaToken: solved.token, captcha: solved.answer });
    expect(right.redirectedTo).toBe("/recover/reason");
    const wrong = await submit({ noscript: "1", captchaToken: await newChallenge(), captcha: "wrong1" });
    // Each message comes with its words, for the field it belongs to (the page sends the browser no error texts).
    expect(wrong.state).toMatchObject({
      status: "invalid",
      fieldErrors: { captcha: "errors.captchaWrong" },
      texts: { captcha: "De tekens komen niet overeen. Vul de tekens van de nieuwe afbeelding in." },
    });
    expect((await eventsFrom(wrong.ip)).map((e) => e.event)).toEqual(["recovery.captcha_failed"]);
    const empty = await submit({ noscript: "1", captchaToken: await newChallenge(), captcha: "" });
    expect(empty.state).toMatchObject({ status: "invalid", fieldErrors: { captcha: "errors.captchaRequired" } });
    expect(empty.state!.texts).toEqual({ captcha: "Vul de tekens uit de afbeelding in." });
    expect(standIn().verifications()).toHaveLength(0);
  });

  it("with the fallback off, a browser without JavaScript is told that JavaScript is needed, even with a right built-in answer", async () => {
    useConfig({ HCAPTCHA_NOJS_FALLBACK: "off" });
    const solved = await solvedChallenge();
    const { state, ip } = await submit({ noscript: "1", captchaToken: solved.token, captcha: solved.answer });
    expect(state).toMatchObject({
      status: "refused",
      formError: "errors.javascriptRequired",
      texts: { form: "Voor de CAPTCHA is JavaScript nodig. Zet JavaScript aan in uw browser, of neem contact op met uw beheerder." },
    });
    expect(await eventsFrom(ip)).toEqual([]);
  });
});

describe.each(drivers())("“Wie bent u?” with the built-in CAPTCHA in test mode on %s", (driver) => {
  let handle: DbHandle;
  let userCount = 0;
  beforeAll(async () => {
    handle = await freshDb(driver);
    stubs.db = handle.db;
  });
  afterAll(async () => {
    await handle?.close();
  });

  /** Test mode as the browser suites run it: the portal's configuration, and the per-call read in lib/captcha/builtin.ts. */
  function useTestMode(env: Record<string, string> = {}) {
    vi.stubEnv("CAPTCHA_TEST_ANSWER", TEST_ANSWER);
    stubs.config = readConfig({ ...process.env, CAPTCHA_PROVIDER: "builtin", ...env });
  }

  /** The identify form with this answer to a fresh challenge, for a user ID of its own (no per-user limit is met). */
  const answering = async (answer: "test" | "own") => {
    const { token, answer: own } = await solvedChallenge();
    return { userId: `test.modus.${++userCount}@example.nl`, captchaToken: token, captcha: answer === "test" ? TEST_ANSWER : own };
  };

  const eventsFrom = async (ip: string) =>
    (handle.db as Db).select().from(auditEvents).where(eq(auditEvents.ip, ip)).orderBy(asc(auditEvents.id));

  it("from this machine (127.0.0.1, ::1, ::ffff:127.0.0.1) the test answer passes, and so does the challenge's own answer", async () => {
    useTestMode();
    for (const peer of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) {
      expect((await submit(await answering("test"), { peer })).redirectedTo, peer).toBe("/recover/reason");
      expect((await submit(await answering("own"), { peer })).redirectedTo, peer).toBe("/recover/reason");
    }
  });

  it("from 10.1.2.3 the test answer is just a wrong answer, audited as one; the challenge's own answer still passes", async () => {
    useTestMode();
    const refused = await submit(await answering("test"), { peer: "10.1.2.3" });
    expect(refused.state).toMatchObject({ status: "invalid", fieldErrors: { captcha: "errors.captchaWrong" } });
    expect((await eventsFrom("10.1.2.3")).map((e) => [e.event, e.reason])).toEqual([["recovery.captcha_failed", "wrong-captcha"]]);
    expect((await submit(await answering("own"), { peer: "10.1.2.3" })).redirectedTo).toBe("/recover/reason");
  });

  it("no header makes a peer from elsewhere local: a forged X-Forwarded-For, or a proxy on this machine forwarding it", async () => {
    useTestMode();
    const forged = await submit(await answering("test"), { peer: "10.1.2.3", forwardedFor: "127.0.0.1" });
    expect(forged.state).toMatchObject({ fieldErrors: { captcha: "errors.captchaWrong" } });
    useTestMode({ TRUSTED_PROXIES: "127.0.0.1" });
    const forwarded = await submit(await answering("test"), { peer: "127.0.0.1", forwardedFor: "10.1.2.3" });
    expect(forwarded.state).toMatchObject({ fieldErrors: { captcha: "errors.captchaWrong" } });
    // The same proxy forwarding a client on this machine (as nginx does for the browser suites) is local.
    const proxiedLocal = await submit(await answering("test"), { peer: "127.0.0.1", forwardedFor: "127.0.0.1" });
    expect(proxiedLocal.redirectedTo).toBe("/recover/reason");
  });
});
