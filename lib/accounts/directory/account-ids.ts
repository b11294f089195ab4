// Toegang's uuid for a directory account, made on first sight from the directory's stable id (objectGUID, entryUUID),
// so flows, sessions, limits and audit rows can refer to the account like to a builtin one.
import "server-only";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { directoryAccounts } from "@/lib/db/schema";

export type DirectorySource = "ad" | "ldap";

/** The uuid for this directory account; the first call for it creates one (concurrent first calls agree). */
export async function accountIdFor(db: Db, source: DirectorySource, externalId: string): Promise<string> {
  const known = await lookUp(db, source, externalId);
  if (known) return known;
  const [inserted] = await db
    .insert(directoryAccounts)
    .values({ source, externalId })
    .onConflictDoNothing({ target: [directoryAccounts.source, directoryAccounts.externalId] })
    .returning({ id: directoryAccounts.id });
  if (inserted) return inserted.id;
  // Another request made it between our look-up and our insert.
  const made = await lookUp(db, source, externalId);
  if (!made) throw new Error(`directory account ${source}:${externalId} vanished while its id was being made`);
  return made;
}

async function lookUp(db: Db, source: DirectorySource, externalId: string): Promise<string | null> {
  const [row] = await db
    .select({ id: directoryAccounts.id })
    .from(directoryAccounts)
    .where(and(eq(directoryAccounts.source, source), eq(directoryAccounts.externalId, externalId)));
  return row?.id ?? null;
}

/** The directory's stable id behind Toegang's uuid, or null when the uuid is not one of this directory's accounts. */
export async function externalIdOf(db: Db, source: DirectorySource, id: string): Promise<string | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  const [row] = await db
    .select({ externalId: directoryAccounts.externalId })
    .from(directoryAccounts)
    .where(and(eq(directoryAccounts.id, id), eq(directoryAccounts.source, source)));
  return row?.externalId ?? null;
}
