// What stands for a typed user ID where the ID itself must not be kept: its keyed hash (audit rows, limits, phantom
// counters) and, for an ID without a registered mobile number, two stable digits to show as *****NN.
import "server-only";
import { userIdKey } from "@/lib/users/normalize";
import { keyedHash } from "./keyed-hash";
import { lastDigits } from "./masking";

/** The keyed hash of a typed user ID; every spelling of one ID gives the same hash. */
export function subjectHash(typedId: string): string {
  return keyedHash("user-id", userIdKey(typedId));
}

/** Two digits to show as *****NN: the real last two for a registered mobile, else a stable keyed hash of the typed ID. */
export function maskedDigitsFor(mobile: string | null, typedId: string): string {
  if (mobile) return lastDigits(mobile);
  const n = parseInt(keyedHash("masked-digits", userIdKey(typedId)).slice(0, 8), 16) % 100;
  return String(n).padStart(2, "0");
}
