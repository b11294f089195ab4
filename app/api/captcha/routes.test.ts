// The CAPTCHA media routes as the browser meets them: uncached media without the answer in any header, byte ranges for
// the audio player, one rendering per challenge, a per-IP limit counted in the database, and the test-only transcript.
import { NextRequest } from "next/server";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { clipNames } from "@/lib/captcha/alphabet";
import { readConfig, type AppConfig } from "@/lib/config";
import type { DbHandle } from "@/lib/db/client";
import { rateLimits } from "@/lib/db/schema";
import { freshDb } from "@/tests/db";
import { IMAGE_HEIGHT, IMAGE_WIDTH } from "@/lib/captcha/image";
import { decodePng } from "@/lib/captcha/png-decode.test-helper";

const stubs = vi.hoisted(() => ({ db: null as unknown, config: null as unknown }));
vi.mock("@/lib/db/client", async (importOriginal) => ({ ...(await importOriginal<object>()), getDb: async () => stubs.db }));
vi.mock("@/lib/config", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/config")>();
  return { ...original, getConfig: () => (stubs.config as AppConfig | null) ?? original.getConfig() };
});

const { newChallenge, challengeImage, challengeAudio } = await import("@/lib/captcha/builtin");
const { solvedChallenge } = await import("@/lib/captcha/builtin.test-helper");
const { GET: audio } = await import("./audio/route");
const { GET: image } = await import("./image/route");
const { GET: transcript } = await import("@/app/dev/captcha-transcript/route");

let ipCount = 0;
/** A request from a new IP each time (unless one is given), so no test meets another's limit. */
const get = (path: string, headers: Record<string, string> = {}) =>
  new NextRequest(new URL(path, "http://localhost:3000"), { headers: { "x-toegang-peer": `203.0.113.${++ipCount}`, ...headers } });
const headerText = (res: Response) => [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
const bytes = async (res: Response) => Buffer.from(await res.arrayBuffer());
/** A PNG's size from its IHDR chunk, which follows the 8-byte signature and the chunk's length. */
const pngSize = (png: Buffer) => {
  expect(png.toString("ascii", 12, 16)).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
};
/** Mean difference per channel (0–255) between a picture and another at twice its size, averaged over 2×2 blocks. */
function differenceAtHalfSize(one: Buffer, two: Buffer): number {
  const a = decodePng(one);
  const b = decodePng(two);
  let sum = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      for (let c = 0; c < 3; c++) {
        const at = (yy: number, xx: number) => b.rgb[(yy * b.width + xx) * 3 + c]!;
        const block = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4;
        sum += Math.abs(a.rgb[(y * a.width + x) * 3 + c]! - block);
      }
    }
  }
  return sum / (a.width * a.height * 3);
}

let handle: DbHandle;
beforeAll(async () => {
  handle = await freshDb("pglite");
  stubs.db = handle.db;
});
afterAll(async () => {
  await handle?.close();
});
afterEach(() => {
  delete process.env.CAPTCHA_TEST_ANSWER;
  stubs.config = null;
});

describe("CAPTCHA media routes", () => {
  it("serves the image as an uncached PNG with nothing of the answer in the headers", async () => {
    const { token, answer } = await solvedChallenge();
    const res = await image(get(`/api/captcha/image?t=${encodeURIComponent(token)}`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const body = await bytes(res);
    expect(body.subarray(1, 4).toString("ascii")).toBe("PNG");
    expect(res.headers.get("content-length")).toBe(String(body.length));
    expect(headerText(res)).not.toContain(answer);
  });

  it("serves x=2 for high-density screens: the same picture with twice the pixels each way", async () => {
    const t = encodeURIComponent(await newChallenge());
    const one = await image(get(`/api/captcha/image?t=${t}`));
    const two = await image(get(`/api/captcha/image?t=${t}&x=2`));
    expect(two.status).toBe(200);
    expect(two.headers.get("content-type")).toBe("image/png");
    expect(two.headers.get("cache-control")).toBe("no-store");
    const [onePng, twoPng] = [await bytes(one), await bytes(two)];
    expect(pngSize(onePng)).toEqual({ width: IMAGE_WIDTH, height: IMAGE_HEIGHT });
    expect(pngSize(twoPng)).toEqual({ width: 2 * IMAGE_WIDTH, height: 2 * IMAGE_HEIGHT });
    // Shrunk back, it is this challenge's picture and not another's.
    const other = await bytes(await image(get(`/api/captcha/image?t=${encodeURIComponent(await newChallenge())}&x=2`)));
    // (About 0.6 of 255 per channel for the same challenge; about 50 for another.)
    expect(differenceAtHalfSize(onePng, twoPng)).toBeLessThan(3);
    expect(differenceAtHalfSize(onePng, other)).toBeGreaterThan(20);
    expect((await bytes(await image(get(`/api/captcha/image?t=${t}&x=2`)))).equals(twoPng)).toBe(true);
  });

  it("serves the ordinary picture for any other x, and 404 for a bad token at x=2", async () => {
    const t = encodeURIComponent(await newChallenge());
    const one = await bytes(await image(get(`/api/captcha/image?t=${t}`)));
    for (const x of ["1", "3", "4", "0", "-2", "1.5", "2.0", "02", "20", "", "abc", "2x"]) {
      const res = await image(get(`/api/captcha/image?t=${t}&x=${encodeURIComponent(x)}`));
      expect(res.status, `x=${x}`).toBe(200);
      expect((await bytes(res)).equals(one), `x=${x}`).toBe(true);
    }
    expect((await image(get("/api/captcha/image?t=garbage&x=2"))).status).toBe(404);
  });

  it("serves the audio as an uncached WAV in the asked language, Dutch by default", async () => {
    const { token, answer } = await solvedChallenge();
    const t = encodeURIComponent(token);
    const [nl, en, fallback] = await Promise.all([
      audio(get(`/api/captcha/audio?t=${t}&lang=nl`)),
      audio(get(`/api/captcha/audio?t=${t}&lang=en`)),
      audio(get(`/api/captcha/audio?t=${t}`)),
    ]);
    for (const res of [nl, en, fallback]) {
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("audio/wav");
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("accept-ranges")).toBe("bytes");
      expect(res.headers.get("content-disposition")).toBe('inline; filename="captcha.wav"');
      expect(headerText(res)).not.toContain(answer);
    }
    const nlBody = await bytes(nl);
    expect(nlBody.toString("ascii", 0, 4)).toBe("RIFF");
    expect(nlBody.equals(await bytes(en))).toBe(false);
    expect(nlBody.equals(await bytes(fallback))).toBe(true);
  });

  it("answers byte ranges of the audio, as the player asks to seek and replay", async () => {
    const t = encodeURIComponent(await newChallenge());
    const whole = await bytes(await audio(get(`/api/captcha/audio?t=${t}`)));
    const part = await audio(get(`/api/captcha/audio?t=${t}`, { range: "bytes=100-199" }));
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 100-199/${whole.length}`);
    expect((await bytes(part)).equals(whole.subarray(100, 200))).toBe(true);
    const tail = await audio(get(`/api/captcha/audio?t=${t}`, { range: "bytes=-10" }));
    expect((await bytes(tail)).equals(whole.subarray(-10))).toBe(true);
    const open = await audio(get(`/api/captcha/audio?t=${t}`, { range: "bytes=0-" }));
    expect(open.status).toBe(206);
    expect((await bytes(open)).equals(whole)).toBe(true);
    const beyond = await audio(get(`/api/captcha/audio?t=${t}`, { range: `bytes=${whole.length}-` }));
    expect(beyond.status).toBe(416);
  });

  it("renders each challenge's media once: asking again returns the kept rendering", async () => {
    const token = await newChallenge();
    const first = await challengeImage(token);
    expect(await challengeImage(token)).toBe(first);
    const wav = await challengeAudio(token, "nl");
    expect(await challengeAudio(token, "nl")).toBe(wav);
    expect(await challengeAudio(token, "en")).not.toBe(wav);
  });

  it("answers 404 for a missing, garbage or expired token", async () => {
    const expired = encodeURIComponent(await newChallenge(new Date(Date.now() - 10 * 60_000)));
    for (const path of ["/api/captcha/image", "/api/captcha/image?t=garbage", `/api/captcha/image?t=${expired}`]) {
      const res = await image(get(path));
      expect(res.status).toBe(404);
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
    for (const path of ["/api/captcha/audio?lang=en", "/api/captcha/audio?t=garbage&lang=nl", `/api/captcha/audio?t=${expired}`]) {
      expect((await audio(get(path))).status).toBe(404);
    }
  });

  it("limits pictures and audio per IP and hour, in the database, with Retry-After", async () => {
    stubs.config = readConfig({ ...process.env, LIMIT_CAPTCHA_IMAGES_PER_IP_PER_HOUR: "3", LIMIT_CAPTCHA_AUDIO_PER_IP_PER_HOUR: "2" });
    const t = encodeURIComponent(await newChallenge());
    const ip = { "x-toegang-peer": "198.51.100.77" };
    const images = [];
    for (let i = 0; i < 4; i++) images.push((await image(get(`/api/captcha/image?t=${t}`, ip))).status);
    expect(images).toEqual([200, 200, 200, 429]);
    const audios = [];
    for (let i = 0; i < 3; i++) audios.push(await audio(get(`/api/captcha/audio?t=${t}`, ip)));
    expect(audios.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(Number(audios[2]!.headers.get("retry-after"))).toBeGreaterThan(3000);
    // Another address is not affected; the counts live in the database, shared by every instance.
    expect((await image(get(`/api/captcha/image?t=${t}`, { "x-toegang-peer": "198.51.100.78" }))).status).toBe(200);
    const keys = (await handle.db.select().from(rateLimits)).map((r) => r.key);
    expect(keys).toEqual(expect.arrayContaining(["captcha-image:ip:198.51.100.77", "captcha-audio:ip:198.51.100.77"]));
  });
});

describe("the test-only transcript (what the audio says, for browser tests)", () => {
  it("lists the clips in the order the audio plays them, in test mode and from this machine only", async () => {
    process.env.CAPTCHA_TEST_ANSWER = "AdE4rT";
    stubs.config = readConfig({ ...process.env });
    const { token, answer } = await solvedChallenge();
    const t = encodeURIComponent(token);
    const res = await transcript(get(`/dev/captcha-transcript?t=${t}&lang=en`, { "x-toegang-peer": "127.0.0.1" }));
    expect(res.status).toBe(200);
    // The challenge's own answer, character by character ("upper", "say-a", …): in test mode too it is a random one.
    const reading = [...answer].flatMap((c) => clipNames(c)!);
    expect(((await res.json()) as { spoken: string[] }).spoken).toEqual(["intro", ...reading, "again", ...reading]);
    expect((await transcript(get(`/dev/captcha-transcript?t=${t}`, { "x-toegang-peer": "192.0.2.1" }))).status).toBe(404);
    // A forged X-Forwarded-For does not make a remote peer local, even with loopback as a trusted proxy.
    stubs.config = readConfig({ ...process.env, TRUSTED_PROXIES: "127.0.0.1" });
    const forged = { "x-toegang-peer": "192.0.2.1", "x-forwarded-for": "127.0.0.1" };
    expect((await transcript(get(`/dev/captcha-transcript?t=${t}`, forged))).status).toBe(404);
    // Nor does a remote client forwarded by a trusted proxy on this machine; a local one is let through.
    const forwarded = { "x-toegang-peer": "127.0.0.1", "x-forwarded-for": "192.0.2.1" };
    expect((await transcript(get(`/dev/captcha-transcript?t=${t}`, forwarded))).status).toBe(404);
    const proxiedLocal = { "x-toegang-peer": "127.0.0.1", "x-forwarded-for": "::1" };
    expect((await transcript(get(`/dev/captcha-transcript?t=${t}`, proxiedLocal))).status).toBe(200);
  });

  it("does not exist outside test mode", async () => {
    stubs.config = readConfig({ ...process.env, CAPTCHA_TEST_ANSWER: "" });
    const t = encodeURIComponent(await newChallenge());
    expect((await transcript(get(`/dev/captcha-transcript?t=${t}`, { "x-toegang-peer": "127.0.0.1" }))).status).toBe(404);
  });
});
