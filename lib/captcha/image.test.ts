// The picture renderer reuses its pixel buffers between pictures (lib/captcha/image.ts, Buffers): nothing of one
// picture may show in the next.
import { describe, expect, it } from "vitest";
import { renderCaptchaImage } from "./image";
import { seededRandom } from "./render-random";

describe("renderCaptchaImage", () => {
  it("draws the same bytes for the same seed, whatever was drawn before it at either size", () => {
    const first = renderCaptchaImage("Ab3dE7", seededRandom("image:one"));
    const firstTwice = renderCaptchaImage("Ab3dE7", seededRandom("image:one"), undefined, 2);
    // Other pictures in between: another answer and seed, at both sizes.
    const other = renderCaptchaImage("Zx9kQ2", seededRandom("image:two"));
    renderCaptchaImage("Zx9kQ2", seededRandom("image:two"), undefined, 2);
    expect(other.equals(first)).toBe(false);
    expect(renderCaptchaImage("Ab3dE7", seededRandom("image:one")).equals(first)).toBe(true);
    expect(renderCaptchaImage("Ab3dE7", seededRandom("image:one"), undefined, 2).equals(firstTwice)).toBe(true);
  });

  it("returns a picture of its own, not a view of a buffer the next picture overwrites", () => {
    const first = renderCaptchaImage("Ab3dE7", seededRandom("image:one"));
    const copy = Buffer.from(first);
    renderCaptchaImage("Zx9kQ2", seededRandom("image:two"));
    expect(first.equals(copy)).toBe(true);
  });
});
