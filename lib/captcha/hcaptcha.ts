// hCaptcha's server side: one siteverify request per token, accepted only as a success for our site key on our host
// name; anything else fails closed. The only module that talks to hCaptcha (or to its stand-in in tests).
import "server-only";
import { getConfig, type AppConfig } from "@/lib/config";

/** Error codes that mean our keys are wrong, not the user's answer: the user is told to try again, the operator is told. */
const CONFIGURATION_ERRORS = new Set(["missing-input-secret", "invalid-input-secret", "sitekey-secret-mismatch"]);

export type UnavailableReason = "timeout" | "network" | "bad-response" | `http-${number}`;

export type HcaptchaVerdict =
  | { kind: "ok" }
  /** siteverify said no, or said yes for another site key or host name; reason: hCaptcha's error codes or our check. */
  | { kind: "refused"; reason: string; misconfigured: boolean }
  /** No usable answer within the timeout: treated as a refusal (fail closed), but not the user's fault. */
  | { kind: "unavailable"; reason: UnavailableReason };

type Expected = { siteKey: string; hostname: string };

/** What our portal's host name is, as hCaptcha reports it: BASE_URL's, never the request's Host header. */
export function portalHostname(baseUrl: string): string {
  return new URL(baseUrl).hostname.toLowerCase();
}

/**
 * Judges siteverify's JSON: `success: true` AND (when the answer names one) our site key AND our host name. hCaptcha
 * reports the host name of the page the widget ran on; an answer without one is refused too, as is one from a widget
 * on another site. The stand-in reports the page's host name the same way, so tests take the same path.
 */
export function judgeSiteverify(body: unknown, expected: Expected): HcaptchaVerdict {
  if (!body || typeof body !== "object" || typeof (body as { success?: unknown }).success !== "boolean") {
    return { kind: "unavailable", reason: "bad-response" };
  }
  const answer = body as { success: boolean; hostname?: unknown; sitekey?: unknown; "error-codes"?: unknown };
  if (!answer.success) {
    const codes = Array.isArray(answer["error-codes"])
      ? answer["error-codes"].filter((c): c is string => typeof c === "string" && /^[a-z0-9-]{1,60}$/.test(c)).slice(0, 5)
      : [];
    return {
      kind: "refused",
      reason: codes.length ? codes.join(",") : "no-error-codes",
      misconfigured: codes.some((c) => CONFIGURATION_ERRORS.has(c)),
    };
  }
  if (answer.sitekey !== undefined && answer.sitekey !== expected.siteKey)
    return { kind: "refused", reason: "sitekey-mismatch", misconfigured: false };
  if (typeof answer.hostname !== "string" || answer.hostname.toLowerCase() !== expected.hostname) {
    return { kind: "refused", reason: "hostname-mismatch", misconfigured: false };
  }
  return { kind: "ok" };
}

type Settings = Pick<AppConfig, "baseUrl" | "providerTimeoutMs" | "hcaptcha">;

/**
 * Asks siteverify about one token: exactly one POST (no retry, no redirect), given up after PROVIDER_TIMEOUT_MS.
 * The secret goes only into the request body; it never appears in a result, a log line or the audit trail.
 */
export async function verifyHcaptcha(token: string, remoteIp: string | null, config: Settings = getConfig()): Promise<HcaptchaVerdict> {
  const settings = config.hcaptcha;
  if (!settings) throw new Error("verifyHcaptcha called while CAPTCHA_PROVIDER is not hcaptcha");
  const form = new URLSearchParams({ secret: settings.secret, response: token, sitekey: settings.siteKey });
  if (remoteIp) form.set("remoteip", remoteIp);
  const signal = AbortSignal.timeout(config.providerTimeoutMs);
  const failed = (error: unknown): HcaptchaVerdict => ({
    kind: "unavailable",
    reason: signal.aborted || isTimeout(error) ? "timeout" : "network",
  });

  let response: Response;
  try {
    response = await fetch(settings.verifyUrl, { method: "POST", body: form, signal, redirect: "error", cache: "no-store" });
  } catch (error) {
    return failed(error);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    return { kind: "unavailable", reason: `http-${response.status}` };
  }
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch (error) {
    return signal.aborted ? failed(error) : { kind: "unavailable", reason: "bad-response" };
  }
  return judgeSiteverify(body, { siteKey: settings.siteKey, hostname: portalHostname(config.baseUrl) });
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || (error.cause instanceof Error && error.cause.name === "TimeoutError"));
}
