// The built-in CAPTCHA: stateless sealed challenges (lib/security/sealed-token.ts), single-use answers recorded in the
// database, and their image and audio.
import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { inArray, lt } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { usedCaptchas } from "@/lib/db/schema";
import { openToken, sealToken } from "@/lib/security/sealed-token";
import { randomAnswer } from "./alphabet";
import { renderCaptchaAudio, type AudioLocale } from "./audio";
import { renderCaptchaImage } from "./image";
import { MediaCache } from "./media-cache";
import { seededRandom } from "./render-random";

export type CaptchaCheck = "ok" | "wrong" | "expired" | "invalid";

export const CHALLENGE_TTL_SECONDS = 5 * 60;
/** Used nonces are kept this long past their challenge's expiry, so app instances with skewed clocks cannot replay one. */
const NONCE_GRACE_MS = 10 * 60_000;
/** At most this many expired nonces are deleted per answer: cleanup stays cheap and still outpaces the inserts. */
const NONCE_CLEANUP_BATCH = 100;

/** What the sealed token holds: the answer and the expiry (ms since epoch); n is the token's random IV (single use). */
type Challenge = { a: string; n: string; e: number };
/** The sealed token's purpose (lib/security/sealed-token.ts): its key opens nothing else. */
const PURPOSE = "captcha-challenge";

/** Who typed the answer: only a request from this machine (fromThisMachine, lib/security/request-context.ts) may use the test answer. */
export type Answerer = { fromThisMachine: boolean };

/**
 * CAPTCHA_TEST_ANSWER (tests only; lib/config.ts validates it at start-up): accepted besides the challenge's own answer,
 * and only from this machine, like every test surface. Read per call rather than from the cached config, so a test
 * can switch it on and off.
 */
function testAnswerFor(answerer: Answerer): string | undefined {
  return answerer.fromThisMachine ? process.env.CAPTCHA_TEST_ANSWER || undefined : undefined;
}

/** A new challenge as an opaque token for the page (and the image/audio URLs); nothing is stored until it is answered. */
export async function newChallenge(now: Date = new Date()): Promise<string> {
  const expiry = Buffer.alloc(6);
  expiry.writeUIntBE(now.getTime() + CHALLENGE_TTL_SECONDS * 1000, 0, 6);
  // Always a random answer, in test mode too: the picture and the audio must not give the test answer away.
  return sealToken(PURPOSE, Buffer.concat([expiry, Buffer.from(randomAnswer(), "utf8")])).token;
}

/** Opens a token: the challenge, or why not (expiry on the caller's clock). */
async function openChallenge(token: string, now: Date): Promise<Challenge | "expired" | "invalid"> {
  const opened = openToken(PURPOSE, token);
  if (!opened || opened.plain.length <= 6) return "invalid";
  const challenge: Challenge = { e: opened.plain.readUIntBE(0, 6), a: opened.plain.subarray(6).toString("utf8"), n: opened.id };
  return now.getTime() >= challenge.e ? "expired" : challenge;
}

/** Constant-time comparison of the typed answer (surrounding and inner spaces ignored, case kept) with the real one. */
function sameAnswer(expected: string, typed: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s.replace(/\s+/g, ""), "utf8").digest();
  return timingSafeEqual(digest(expected), digest(typed));
}

/** Deletes a bounded batch of long-expired nonces; SKIP LOCKED keeps parallel cleanups from queueing behind each other. */
async function forgetExpiredNonces(db: Db, now: Date): Promise<void> {
  const stale = db
    .select({ nonce: usedCaptchas.nonce })
    .from(usedCaptchas)
    .where(lt(usedCaptchas.expiresAt, new Date(now.getTime() - NONCE_GRACE_MS)))
    .limit(NONCE_CLEANUP_BATCH)
    .for("update", { skipLocked: true });
  await db.delete(usedCaptchas).where(inArray(usedCaptchas.nonce, stale));
}

/**
 * Checks a typed answer: the challenge's own, or the test answer when the answerer may use it. Every attempt on a live
 * challenge consumes it (a wrong answer burns it too), and a challenge already answered is refused as "invalid" even
 * when the answer is right. Fails closed: a database error propagates.
 */
export async function checkAnswer(
  db: Db,
  token: string,
  answer: string,
  answerer: Answerer,
  now: Date = new Date(),
): Promise<CaptchaCheck> {
  const challenge = await openChallenge(token, now);
  if (challenge === "expired" || challenge === "invalid") return challenge;
  const consumed = await db
    .insert(usedCaptchas)
    .values({ nonce: challenge.n, expiresAt: new Date(challenge.e) })
    .onConflictDoNothing()
    .returning({ nonce: usedCaptchas.nonce });
  await forgetExpiredNonces(db, now);
  if (consumed.length === 0) return "invalid";
  const typed = typeof answer === "string" ? answer : "";
  const testAnswer = testAnswerFor(answerer);
  return sameAnswer(challenge.a, typed) || (testAnswer !== undefined && sameAnswer(testAnswer, typed)) ? "ok" : "wrong";
}

/** Rendered pictures (about 6 KB each) and audio (about 300 KB each), kept until their challenge expires. */
const images = new MediaCache<Buffer>(8 * 1024 * 1024, (png) => png.length);
const audio = new MediaCache<{ wav: Buffer; spoken: string[] }>(48 * 1024 * 1024, ({ wav }) => wav.length);

/**
 * The challenge's picture as a PNG, or null for an invalid or expired token; the same token always gives the same
 * picture (`ratio` 2: the same picture with twice the pixels each way, for high-density screens).
 */
export async function challengeImage(token: string, now: Date = new Date(), ratio: 1 | 2 = 1): Promise<Buffer | null> {
  const challenge = await openChallenge(token, now);
  if (typeof challenge === "string") return null;
  const key = ratio === 1 ? challenge.n : `${challenge.n}@${ratio}x`;
  return images.get(key, challenge.e, async () => renderCaptchaImage(challenge.a, seededRandom(`image:${challenge.n}`), undefined, ratio));
}

async function spokenChallenge(token: string, locale: AudioLocale, now: Date): Promise<{ wav: Buffer; spoken: string[] } | null> {
  const challenge = await openChallenge(token, now);
  if (typeof challenge === "string") return null;
  return audio.get(`${locale}:${challenge.n}`, challenge.e, async () => {
    const spoken: string[] = [];
    const wav = await renderCaptchaAudio(challenge.a, locale, seededRandom(`audio:${locale}:${challenge.n}`), spoken);
    return { wav, spoken };
  });
}

/** The challenge spoken in the page's language as a WAV, or null for an invalid or expired token. */
export async function challengeAudio(token: string, locale: AudioLocale, now: Date = new Date()): Promise<Buffer | null> {
  return (await spokenChallenge(token, locale, now))?.wav ?? null;
}

/**
 * Test mode only (the route that calls it checks): the clips the audio strings together, in order ("intro", "upper",
 * "say-a", …), taken from the rendering itself — what a listener hears, for browser tests that cannot listen.
 */
export async function challengeTranscript(token: string, locale: AudioLocale, now: Date = new Date()): Promise<string[] | null> {
  return (await spokenChallenge(token, locale, now))?.spoken ?? null;
}
