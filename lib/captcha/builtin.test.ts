import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { usedCaptchas } from "@/lib/db/schema";
import { drivers, freshDb } from "@/tests/db";
import { ALPHABET } from "./alphabet";
import { challengeAudio, challengeImage, checkAnswer, CHALLENGE_TTL_SECONDS, newChallenge } from "./builtin";
import { answerOf, solvedChallenge } from "./builtin.test-helper";
import { BACKGROUNDS, IMAGE_HEIGHT, IMAGE_WIDTH, INKS } from "./image";
import { decodePng } from "./png-decode.test-helper";

/** Who answers: a request from this machine (which may use CAPTCHA_TEST_ANSWER), and one from anywhere else. */
const here = { fromThisMachine: true };
const elsewhere = { fromThisMachine: false };

const swapCase = (s: string) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("");
const later = (now: Date, seconds: number) => new Date(now.getTime() + seconds * 1000);

afterEach(() => {
  delete process.env.CAPTCHA_TEST_ANSWER;
});

describe("newChallenge", () => {
  it("seals a 6-character answer from the alphabet that the token does not show", async () => {
    for (let i = 0; i < 20; i++) {
      const token = await newChallenge();
      const answer = await answerOf(token);
      expect(answer).toMatch(new RegExp(`^[${ALPHABET}]{6}$`));
      expect(token).not.toContain(answer);
      expect(token).toMatch(/^[A-Za-z0-9.*_~-]+$/); // safe in a query string without surprises
    }
  });

  it("gives every challenge its own token", async () => {
    const tokens = await Promise.all([newChallenge(), newChallenge(), newChallenge()]);
    expect(new Set(tokens).size).toBe(3);
  });

  it("draws a random answer with CAPTCHA_TEST_ANSWER set too, so no picture or audio gives the test answer away", async () => {
    process.env.CAPTCHA_TEST_ANSWER = "AdE4rT";
    const answers = new Set<string>();
    for (let i = 0; i < 5; i++) answers.add(await answerOf(await newChallenge()));
    expect(answers.has("AdE4rT")).toBe(false);
    expect(answers.size).toBeGreaterThan(1);
  });
});

describe.each(drivers())("checkAnswer on %s", (driver) => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await freshDb(driver);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("accepts the right answer once, refuses the second use even when right", async () => {
    const token = await newChallenge();
    const answer = await answerOf(token);
    expect(await checkAnswer(handle.db, token, answer, elsewhere)).toBe("ok");
    expect(await checkAnswer(handle.db, token, answer, elsewhere)).toBe("invalid");
  });

  it("tolerates spaces around and inside the typed answer", async () => {
    const token = await newChallenge();
    const answer = await answerOf(token);
    expect(await checkAnswer(handle.db, token, ` ${answer.slice(0, 3)} ${answer.slice(3)} `, elsewhere)).toBe("ok");
  });

  it("says wrong for a wrong answer, and the wrong answer burns the challenge", async () => {
    const token = await newChallenge();
    const answer = await answerOf(token);
    expect(await checkAnswer(handle.db, token, "Ftt7Mm", elsewhere)).toBe(answer === "Ftt7Mm" ? "ok" : "wrong");
    expect(await checkAnswer(handle.db, token, answer, elsewhere)).toBe("invalid");
  });

  it("is case-sensitive", async () => {
    process.env.CAPTCHA_TEST_ANSWER = "AdE4rT";
    const token = await newChallenge();
    expect(await checkAnswer(handle.db, token, swapCase("AdE4rT"), here)).toBe("wrong");
    const again = await newChallenge();
    expect(await checkAnswer(handle.db, again, "AdE4rT".toUpperCase(), here)).toBe("wrong");
    const own = await newChallenge();
    const answer = await answerOf(own);
    expect(await checkAnswer(handle.db, own, swapCase(answer), here)).toBe(swapCase(answer) === answer ? "ok" : "wrong");
  });

  it("refuses empty, truncated and over-long answers", async () => {
    process.env.CAPTCHA_TEST_ANSWER = "AdE4rT";
    for (const typed of ["", "AdE4r", "AdE4rTT"]) {
      expect(await checkAnswer(handle.db, await newChallenge(), typed, here)).toBe("wrong");
    }
  });

  it("accepts CAPTCHA_TEST_ANSWER only from this machine: from elsewhere it is a wrong answer, and burns the challenge", async () => {
    process.env.CAPTCHA_TEST_ANSWER = "AdE4rT";
    expect(await checkAnswer(handle.db, await newChallenge(), "AdE4rT", here)).toBe("ok");
    const token = await newChallenge();
    expect(await checkAnswer(handle.db, token, "AdE4rT", elsewhere)).toBe("wrong");
    expect(await checkAnswer(handle.db, token, await answerOf(token), elsewhere)).toBe("invalid");
  });

  it("accepts the challenge's own answer from this machine and from elsewhere, in test mode too", async () => {
    process.env.CAPTCHA_TEST_ANSWER = "AdE4rT";
    for (const answerer of [here, elsewhere]) {
      const token = await newChallenge();
      expect(await checkAnswer(handle.db, token, await answerOf(token), answerer)).toBe("ok");
    }
  });

  it("has no test answer outside test mode, not even for this machine", async () => {
    expect(await checkAnswer(handle.db, await newChallenge(), "AdE4rT", here)).toBe("wrong");
  });

  it("expires after 5 minutes, without consuming the nonce", async () => {
    const now = new Date();
    const token = await newChallenge(now);
    const answer = await answerOf(token);
    expect(await checkAnswer(handle.db, token, answer, elsewhere, later(now, CHALLENGE_TTL_SECONDS))).toBe("expired");
    expect(await checkAnswer(handle.db, token, answer, elsewhere, later(now, CHALLENGE_TTL_SECONDS - 1))).toBe("ok");
  });

  it("says invalid for garbage, tampered or foreign tokens", async () => {
    const token = await newChallenge();
    const answer = await answerOf(token);
    const tampered = token.slice(0, 40) + (token[40] === "A" ? "B" : "A") + token.slice(41);
    const { sealToken } = await import("@/lib/security/sealed-token");
    // The same plaintext layout sealed for another purpose, and a token of this purpose under a key the portal lacks.
    const foreign = sealToken("flow-cookie", Buffer.concat([Buffer.alloc(6, 0xff), Buffer.from(answer)])).token;
    const otherKey = Buffer.from(token, "base64url");
    otherKey[0] = 99;
    for (const bad of ["", "garbage", "Fe26.2**", tampered, foreign, otherKey.toString("base64url"), "x".repeat(5000)]) {
      expect(await checkAnswer(handle.db, bad, answer, elsewhere)).toBe("invalid");
    }
    expect(await checkAnswer(handle.db, token, answer, elsewhere)).toBe("ok");
  });

  it("lets only one of two parallel right answers through", async () => {
    const token = await newChallenge();
    const answer = await answerOf(token);
    const results = await Promise.all([checkAnswer(handle.db, token, answer, elsewhere), checkAnswer(handle.db, token, answer, elsewhere)]);
    expect(results.sort()).toEqual(["invalid", "ok"]);
  });

  it("deletes long-expired nonces as it goes, in bounded batches", async () => {
    const old = new Date(Date.now() - 3 * 3600_000);
    await handle.db.insert(usedCaptchas).values(Array.from({ length: 150 }, (_, i) => ({ nonce: `old-${i}`, expiresAt: old })));
    const recent = new Date(Date.now() - 60_000); // expired, but within the grace for skewed clocks
    await handle.db.insert(usedCaptchas).values({ nonce: "recent", expiresAt: recent });
    const countOld = async () => (await handle.db.select().from(usedCaptchas)).filter((r) => r.nonce.startsWith("old-")).length;
    await checkAnswer(handle.db, await newChallenge(), "AAAAAA", elsewhere);
    expect(await countOld()).toBe(50);
    await checkAnswer(handle.db, await newChallenge(), "AAAAAA", elsewhere);
    expect(await countOld()).toBe(0);
    const rows = await handle.db.select().from(usedCaptchas);
    expect(rows.map((r) => r.nonce)).toContain("recent");
  });
});

/** WCAG relative luminance and contrast ratio. */
function contrast(a: readonly number[], b: readonly number[]): number {
  const lum = (c: readonly number[]) => {
    const [r, g, b] = c.map((v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe("challengeImage", () => {
  it("renders a valid, small PNG of 240×80, the same for the same token and different for another", async () => {
    const token = await newChallenge();
    const png = await challengeImage(token);
    expect(png).not.toBeNull();
    const decoded = decodePng(png!);
    expect(decoded.width).toBe(IMAGE_WIDTH);
    expect(decoded.height).toBe(IMAGE_HEIGHT);
    expect([IMAGE_WIDTH, IMAGE_HEIGHT]).toEqual([240, 80]);
    expect(png!.length).toBeLessThan(12_000);
    expect((await challengeImage(token))!.equals(png!)).toBe(true);
    expect((await challengeImage(await newChallenge()))!.equals(png!)).toBe(false);
  });

  it("draws the same picture with twice the pixels each way for high-density screens", async () => {
    const token = await newChallenge();
    const one = decodePng((await challengeImage(token))!);
    const two = decodePng((await challengeImage(token, undefined, 2))!);
    expect([two.width, two.height]).toEqual([2 * IMAGE_WIDTH, 2 * IMAGE_HEIGHT]);
    // Averaged back down to 240×80, it is the 1× picture (only anti-aliased edges and palette rounding differ).
    let difference = 0;
    for (let y = 0; y < IMAGE_HEIGHT; y++) {
      for (let x = 0; x < IMAGE_WIDTH; x++) {
        for (let k = 0; k < 3; k++) {
          const at = (xx: number, yy: number) => two.rgb[(yy * two.width + xx) * 3 + k]!;
          const mean = (at(2 * x, 2 * y) + at(2 * x + 1, 2 * y) + at(2 * x, 2 * y + 1) + at(2 * x + 1, 2 * y + 1)) / 4;
          difference += Math.abs(mean - one.rgb[(y * IMAGE_WIDTH + x) * 3 + k]!);
        }
      }
    }
    expect(difference / (IMAGE_WIDTH * IMAGE_HEIGHT * 3)).toBeLessThan(12);
    // Another token's picture is far from it.
    const other = decodePng((await challengeImage(await newChallenge()))!);
    let otherDifference = 0;
    for (let i = 0; i < one.rgb.length; i++) otherDifference += Math.abs(other.rgb[i]! - one.rgb[i]!);
    expect(otherDifference / one.rgb.length).toBeGreaterThan(difference / (IMAGE_WIDTH * IMAGE_HEIGHT * 3));
  });

  it("does not carry the answer in the file", async () => {
    const { token, answer } = await solvedChallenge();
    const png = (await challengeImage(token))!;
    expect(png.toString("latin1")).not.toContain(answer);
    expect(decodePng(png).chunks).toEqual(["IHDR", "PLTE", "IDAT", "IEND"]);
  });

  it("draws in inks with at least 7:1 contrast against every background", () => {
    for (const ink of INKS) for (const bg of BACKGROUNDS) expect(contrast(ink, bg)).toBeGreaterThanOrEqual(7);
  });

  it("returns null for an invalid or expired token", async () => {
    const now = new Date();
    const token = await newChallenge(now);
    expect(await challengeImage("nope")).toBeNull();
    expect(await challengeImage(token, later(now, CHALLENGE_TTL_SECONDS + 1))).toBeNull();
  });
});

describe("challengeAudio", () => {
  function readWav(wav: Buffer) {
    expect(wav.toString("ascii", 0, 4)).toBe("RIFF");
    expect(wav.toString("ascii", 8, 16)).toBe("WAVEfmt ");
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.toString("ascii", 36, 40)).toBe("data");
    expect(wav.readUInt32LE(40)).toBeGreaterThanOrEqual(wav.length - 45);
    const sampleRate = wav.readUInt32LE(24);
    const bytesPerSample = wav.readUInt16LE(34) / 8;
    expect(wav.readUInt32LE(28)).toBe(sampleRate * bytesPerSample);
    return { sampleRate, bits: wav.readUInt16LE(34), seconds: wav.readUInt32LE(40) / bytesPerSample / sampleRate };
  }

  it("speaks the challenge as a valid WAV, different per locale and per challenge", async () => {
    const { token, answer } = await solvedChallenge();
    const nl = (await challengeAudio(token, "nl"))!;
    const en = (await challengeAudio(token, "en"))!;
    const { sampleRate, bits, seconds } = readWav(nl);
    expect(sampleRate).toBe(11025);
    expect(bits).toBe(8); // half the bytes of 16-bit; the murmur is far louder than 8-bit's quantisation noise
    expect(seconds).toBeGreaterThan(12);
    expect(seconds).toBeLessThan(45);
    readWav(en);
    expect(nl.equals(en)).toBe(false);
    expect((await challengeAudio(token, "nl"))!.equals(nl)).toBe(true);
    expect((await challengeAudio(await newChallenge(), "nl"))!.equals(nl)).toBe(false);
    expect(nl.toString("latin1")).not.toContain(answer);
  });

  it("returns null for an invalid or expired token", async () => {
    const now = new Date();
    const token = await newChallenge(now);
    expect(await challengeAudio("nope", "nl")).toBeNull();
    expect(await challengeAudio(token, "en", later(now, CHALLENGE_TTL_SECONDS + 1))).toBeNull();
  });
});
