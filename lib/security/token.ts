// Bearer tokens for the browser (the wizard's and the admin area's cookies): 256 random bits, stored only as a hash.
import "server-only";
import { createHash, randomBytes } from "node:crypto";

/** The stored form of a token: SHA-256, hex (the token itself has 256 bits, so no key or salt is needed). */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A new token for the browser and the hash the database keeps. */
export function newToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashToken(token) };
}
