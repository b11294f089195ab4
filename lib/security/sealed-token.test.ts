// Sealed tokens: what one secret seals only that secret opens, for that purpose only; any change to a token, or a
// secret dropped from SESSION_SECRETS, makes it unopenable; a rotation keeps older tokens open.
import { beforeEach, describe, expect, it, vi } from "vitest";

const secrets = vi.hoisted(() => ({ current: { 1: "a".repeat(40) } as Record<number, string> }));
vi.mock("@/lib/auth/session", () => ({ sessionPasswords: () => secrets.current }));

const { openToken, sealToken } = await import("./sealed-token");
const plain = Buffer.from("answer and expiry");

describe("sealed tokens", () => {
  beforeEach(() => {
    secrets.current = { 1: "a".repeat(40) };
  });

  it("open to what was sealed, with the IV as the token's id, and are short and URL-safe", () => {
    const sealed = sealToken("captcha-challenge", plain);
    expect(sealed.token).toMatch(/^[\w-]+$/);
    expect(sealed.token.length).toBeLessThan(80);
    const opened = openToken("captcha-challenge", sealed.token);
    expect(opened?.plain.equals(plain)).toBe(true);
    expect(opened?.id).toBe(sealed.id);
    expect(sealToken("captcha-challenge", plain).id).not.toBe(sealed.id);
    expect(sealToken("captcha-challenge", plain).token).not.toBe(sealed.token);
  });

  it("never open for another purpose", () => {
    const { token } = sealToken("captcha-challenge", plain);
    expect(openToken("something-else", token)).toBeNull();
  });

  it("refuse every changed byte, and anything that is not a token", () => {
    const { token } = sealToken("captcha-challenge", plain);
    const bytes = Buffer.from(token, "base64url");
    for (let i = 0; i < bytes.length; i++) {
      const changed = Buffer.from(bytes);
      changed[i] = changed[i]! ^ 0x01;
      expect(openToken("captcha-challenge", changed.toString("base64url")), `byte ${i}`).toBeNull();
    }
    for (const bad of [undefined, 42, "", "!!", "a.b", token.slice(0, 20), token + "A", "x".repeat(2000)]) {
      expect(openToken("captcha-challenge", bad)).toBeNull();
    }
  });

  it("seal with the first secret after a rotation and still open tokens of the older one, until it is removed", () => {
    const old = sealToken("captcha-challenge", plain).token;
    secrets.current = { 2: "b".repeat(40), 1: "a".repeat(40) };
    const fresh = sealToken("captcha-challenge", plain).token;
    expect(Buffer.from(fresh, "base64url")[0]).toBe(2);
    expect(openToken("captcha-challenge", old)?.plain.equals(plain)).toBe(true);
    expect(openToken("captcha-challenge", fresh)?.plain.equals(plain)).toBe(true);
    secrets.current = { 1: "b".repeat(40) };
    expect(openToken("captcha-challenge", old)).toBeNull();
    expect(openToken("captcha-challenge", fresh)).toBeNull();
  });
});
