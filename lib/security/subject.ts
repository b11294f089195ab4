// What stands for a typed user ID where the ID itself must not be kept: its keyed hash (audit rows, limits, phantom
// counters). The digits shown for an ID without a registered number are masked-digits.ts.
import "server-only";
import { userIdKey } from "@/lib/users/normalize";
import { keyedHash } from "./keyed-hash";

/** The keyed hash of a typed user ID; every spelling of one ID gives the same hash. */
export function subjectHash(typedId: string): string {
  return keyedHash("user-id", userIdKey(typedId));
}
