// Keyed hashes (HMAC-SHA256 under a key derived from the first session secret) for values we must not store in clear.
import "server-only";
import { createHmac, hkdfSync } from "node:crypto";
import { getConfig } from "@/lib/config";

const keys = new Map<string, Buffer>();

function keyFor(purpose: string): Buffer {
  let key = keys.get(purpose);
  if (!key) {
    const secret = getConfig().sessionSecrets[0]!;
    key = Buffer.from(hkdfSync("sha256", secret, "toegang", purpose, 32));
    keys.set(purpose, key);
  }
  return key;
}

/** Hex HMAC of value for a named purpose; different purposes never share a key. */
export function keyedHash(purpose: string, value: string): string {
  return createHmac("sha256", keyFor(purpose)).update(value, "utf8").digest("hex");
}
