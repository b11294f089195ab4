// The CAPTCHA on "Wie bent u?", whichever is configured: the built-in one, or hCaptcha with the built-in one as the
// fallback for browsers without JavaScript (HCAPTCHA_NOJS_FALLBACK). One verdict for the action, provider events audited.
import "server-only";
import { recordAudit } from "@/lib/audit/record";
import { getConfig, type AppConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import type { RequestContext } from "@/lib/security/request-context";
import { subjectHash } from "@/lib/security/subject";
import { checkAnswer } from "./builtin";
import { verifyHcaptcha } from "./hcaptcha";

/** What the identify form posted for the CAPTCHA. */
export type CaptchaInput = {
  /** The built-in challenge (sealed token) and the typed characters. */
  challenge: string;
  answer: string;
  /** hCaptcha's token, from the widget's h-captcha-response field. */
  hcaptchaToken: string;
  /** Set only by fields inside <noscript>: the browser ran no JavaScript, so it saw the fallback instead of the widget. */
  noscript: boolean;
};

/** The form field an error belongs to: the built-in answer, or the hCaptcha widget. */
export type CaptchaField = "captcha" | "captchaWidget";

export type CaptchaVerdict =
  | { kind: "ok" }
  /** Nothing to check: the user is asked to do the CAPTCHA; nothing counted. */
  | { kind: "missing"; field: CaptchaField | null; error: string }
  /** A wrong answer or a refused token: counted and audited as the user's failed CAPTCHA. */
  | { kind: "wrong"; field: CaptchaField; error: string }
  /** hCaptcha could not give an answer (down, slow, misconfigured): refused, counted per IP, but not the user's failure. */
  | { kind: "unavailable"; field: CaptchaField; error: string };

/** Who is asking; fromThisMachine (lib/security/request-context.ts) decides whether the test answer counts. */
type Ctx = { typedId: string; context: RequestContext; fromThisMachine: boolean };

export async function checkCaptcha(db: Db, input: CaptchaInput, ctx: Ctx, config: AppConfig = getConfig()): Promise<CaptchaVerdict> {
  const hcaptcha = config.hcaptcha;
  if (hcaptcha && input.hcaptchaToken) return checkHcaptcha(db, input.hcaptchaToken, ctx, config);
  if (hcaptcha && !input.noscript) return { kind: "missing", field: "captchaWidget", error: "errors.hcaptchaRequired" };
  if (hcaptcha && hcaptcha.noJsFallback === "off") return { kind: "missing", field: null, error: "errors.javascriptRequired" };
  if (!input.answer) return { kind: "missing", field: "captcha", error: "errors.captchaRequired" };
  const result = await checkAnswer(db, input.challenge, input.answer, { fromThisMachine: ctx.fromThisMachine });
  if (result === "ok") return { kind: "ok" };
  return { kind: "wrong", field: "captcha", error: result === "expired" ? "errors.captchaExpired" : "errors.captchaWrong" };
}

async function checkHcaptcha(db: Db, token: string, ctx: Ctx, config: AppConfig): Promise<CaptchaVerdict> {
  const verdict = await verifyHcaptcha(token, ctx.context.ip, config);
  if (verdict.kind === "ok") return { kind: "ok" };
  const refused = verdict.kind === "refused";
  await recordAudit(db, {
    event: refused ? "captcha.verify_failed" : "captcha.unavailable",
    outcome: "failure",
    reason: verdict.reason,
    subjectHash: subjectHash(ctx.typedId),
    ip: ctx.context.ip,
    userAgent: ctx.context.userAgent,
    locale: ctx.context.locale,
  });
  if (refused && !verdict.misconfigured) return { kind: "wrong", field: "captchaWidget", error: "errors.hcaptchaFailed" };
  if (refused) console.error(`hCaptcha refused the portal's keys (${verdict.reason}): check HCAPTCHA_SITE_KEY and HCAPTCHA_SECRET`);
  return { kind: "unavailable", field: "captchaWidget", error: "errors.captchaUnavailable" };
}
