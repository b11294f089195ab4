// Read-only account lookup for administrators: the state of one account, shaped for the page (never a hash or a full number).
import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { keyedHash } from "@/lib/security/keyed-hash";
import { userIdKey } from "@/lib/users/normalize";
import { findUser, type UserSummary } from "@/lib/users/service";
import { maskMobile } from "./rules";

export type AccountView = Omit<UserSummary, "mobile"> & { id: string; updatedAt: Date; maskedMobile: string | null };

export type Lookup = { found: true; account: AccountView } | { found: false; subjectHash: string };

/** Looks up a typed user ID (any spelling); an unknown one is answered with the keyed hash the audit trail uses for it. */
export async function lookupAccount(db: Db, typed: string, now = new Date()): Promise<Lookup> {
  const key = userIdKey(typed);
  const summary = await findUser(db, key, now);
  const [row] = summary
    ? await db.select({ id: users.id, updatedAt: users.updatedAt }).from(users).where(eq(users.emailKey, key)).limit(1)
    : [];
  if (!summary || !row) return { found: false, subjectHash: keyedHash("user-id", key) };
  const { mobile, ...rest } = summary;
  return { found: true, account: { ...rest, id: row.id, updatedAt: row.updatedAt, maskedMobile: maskMobile(mobile) } };
}
