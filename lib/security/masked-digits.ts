// The two digits shown as *****NN on the number step: the registered mobile's last two, or a stable keyed hash of the typed ID.
import "server-only";
import { keyedHash } from "./keyed-hash";
import { lastDigits } from "./masking";

/** Unknown and phone-less IDs get digits from HASH_KEY (never the session secret), so they survive SESSION_SECRET rotation. */
export function maskedDigitsFor(mobile: string | null, idKey: string): string {
  if (mobile) return lastDigits(mobile);
  const n = parseInt(keyedHash("masked-digits", idKey).slice(0, 8), 16) % 100;
  return String(n).padStart(2, "0");
}
