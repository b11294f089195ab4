// Keyed hashes (HMAC-SHA256 under keys derived from HASH_KEY) for values we must not store in clear. The key is not the
// session secret, so rotating SESSION_SECRET changes no stored hash and nothing a user sees (the unknown-ID digits).
import "server-only";
import { createHmac, hkdfSync } from "node:crypto";
import { getConfig } from "@/lib/config";

/** What each keyed hash is for; every purpose has its own derived key. */
export type HashPurpose = "user-id" | "masked-digits" | "verification-code" | "password-skeleton" | "mobile-number";

const keys = new Map<string, Buffer>();

function keyFor(purpose: HashPurpose, secret: string): Buffer {
  const cacheKey = `${purpose}\0${secret}`;
  let key = keys.get(cacheKey);
  if (!key) {
    // Same derivation as before HASH_KEY existed: setting HASH_KEY to the old first SESSION_SECRET keeps every hash.
    key = Buffer.from(hkdfSync("sha256", secret, "toegang", purpose, 32));
    keys.set(cacheKey, key);
  }
  return key;
}

/** Hex HMAC of value for a named purpose; different purposes never share a key. */
export function keyedHash(purpose: HashPurpose, value: string, secret: string = getConfig().hashKey): string {
  return createHmac("sha256", keyFor(purpose, secret)).update(value, "utf8").digest("hex");
}
