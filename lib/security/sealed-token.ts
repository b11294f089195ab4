// Short sealed tokens for values the portal hands out in a page and takes back later (the built-in CAPTCHA's
// challenge): AES-256-GCM, so a token can be neither read nor altered without the secret.
// - The key is derived (HKDF-SHA256) from a SESSION_SECRETS entry and the token's purpose: a token made for one purpose
//   never opens as another, and no key is shared with the session cookies (iron-session's).
// - The first secret seals; every configured secret opens (rotation, as for the cookies). The token names its key by a
//   one-byte id: the secret's position counted from the oldest, as sessionPasswords() numbers them.
// - Layout: base64url(key id ‖ 12-byte random IV ‖ ciphertext ‖ 16-byte tag); URL-safe, no escaping in HTML.
// Synchronous node:crypto: a seal costs a few microseconds and about 60 characters, where iron (WebCrypto, PBKDF2 per
// seal) costs about a millisecond here and 370 characters, repeated in every address of the CAPTCHA's media.
import "server-only";
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { sessionPasswords } from "@/lib/auth/session";

const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_TOKEN_CHARS = 1024;
const keys = new Map<string, Buffer>();

function keyFor(purpose: string, secret: string): Buffer {
  const cacheKey = `${purpose}\u0000${secret}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", secret, "toegang sealed token", purpose, 32));
    keys.set(cacheKey, key);
  }
  return key;
}

export type Sealed = { token: string; /** The random IV, base64url: unique per token, usable as its single-use id. */ id: string };

/** Seals `plain` for `purpose` under the current (first) secret. */
export function sealToken(purpose: string, plain: Buffer): Sealed {
  const passwords = sessionPasswords();
  const keyId = Math.max(...Object.keys(passwords).map(Number));
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyFor(purpose, passwords[keyId]!), iv);
  const head = Buffer.from([keyId]);
  cipher.setAAD(head);
  const body = Buffer.concat([head, iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return { token: body.toString("base64url"), id: iv.toString("base64url") };
}

/** The sealed bytes and the token's id, or null for anything that is not a token of this purpose under a configured secret. */
export function openToken(purpose: string, token: unknown): { plain: Buffer; id: string } | null {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_CHARS || !/^[\w-]+$/.test(token)) return null;
  const body = Buffer.from(token, "base64url");
  if (body.length < 1 + IV_BYTES + TAG_BYTES) return null;
  const secret = sessionPasswords()[body[0]!];
  if (secret === undefined) return null;
  const iv = body.subarray(1, 1 + IV_BYTES);
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFor(purpose, secret), iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(body.subarray(0, 1));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(body.subarray(1 + IV_BYTES, body.length - TAG_BYTES)), decipher.final()]);
    return { plain, id: iv.toString("base64url") };
  } catch {
    return null;
  }
}
