import { NextRequest } from "next/server";
import { afterEach, describe, expect, it } from "vitest";
import { newChallenge } from "@/lib/captcha/builtin";
import { GET as audio } from "./audio/route";
import { GET as image } from "./image/route";

const get = (path: string) => new NextRequest(new URL(path, "http://localhost:3000"));
const headerText = (res: Response) => [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");

afterEach(() => {
  delete process.env.CAPTCHA_TEST_ANSWER;
});

describe("CAPTCHA media routes", () => {
  it("serves the image as an uncached PNG with nothing of the answer in the headers", async () => {
    process.env.CAPTCHA_TEST_ANSWER = "AdE4rT";
    const token = await newChallenge();
    const res = await image(get(`/api/captcha/image?t=${encodeURIComponent(token)}`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.subarray(1, 4).toString("ascii")).toBe("PNG");
    expect(res.headers.get("content-length")).toBe(String(body.length));
    expect(headerText(res)).not.toContain("AdE4rT");
  });

  it("serves the audio as an uncached WAV in the asked language, Dutch by default", async () => {
    process.env.CAPTCHA_TEST_ANSWER = "AdE4rT";
    const t = encodeURIComponent(await newChallenge());
    const [nl, en, fallback] = await Promise.all([
      audio(get(`/api/captcha/audio?t=${t}&lang=nl`)),
      audio(get(`/api/captcha/audio?t=${t}&lang=en`)),
      audio(get(`/api/captcha/audio?t=${t}`)),
    ]);
    for (const res of [nl, en, fallback]) {
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("audio/wav");
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("content-disposition")).toBe('inline; filename="captcha.wav"');
      expect(headerText(res)).not.toContain("AdE4rT");
    }
    const body = async (r: Response) => Buffer.from(await r.arrayBuffer());
    const nlBody = await body(nl);
    expect(nlBody.toString("ascii", 0, 4)).toBe("RIFF");
    expect(nlBody.equals(await body(en))).toBe(false);
    expect(nlBody.equals(await body(fallback))).toBe(true);
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
});
