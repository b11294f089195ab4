// Demo users for the embedded default: seeded on first start and printed, so anyone can try every path.
import "server-only";
import { inArray } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { verifyPassword } from "@/lib/password/hash";
import { addChosenUsers, lockUser, prepareChosenUsers, type ChosenUsers } from "./service";
import { userIdKey } from "./normalize";

export type DemoUser = {
  email: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  password: string;
  isAdmin?: boolean;
  locked?: boolean;
  note: string;
};

export function demoUsers(domain: string): DemoUser[] {
  return [
    {
      email: `jan.jansen@${domain}`,
      firstName: "Jan",
      lastName: "Jansen",
      phone: "+31612345656",
      password: "Zeilboot2026!",
      note: "ordinary user, mobile ends in 56",
    },
    {
      email: `petra.devries@${domain}`,
      firstName: "Petra",
      lastName: "de Vries",
      phone: "+31687654321",
      password: "Tulpenbol2026!",
      locked: true,
      note: "locked account",
    },
    {
      email: `kees.bakker@${domain}`,
      firstName: "Kees",
      lastName: "Bakker",
      phone: null,
      password: "Fietsen2026!",
      note: "no mobile number",
    },
    {
      email: `beheer@${domain}`,
      firstName: "Anna",
      lastName: "Beheerder",
      phone: "+31611112278",
      password: "Stempelkussen2026!",
      isAdmin: true,
      note: "administrator",
    },
  ];
}

/**
 * The demo users checked and their passwords hashed, without the database: the start begins this while the database
 * opens (Argon2 runs on other threads) and hands it to seedDemoUsers.
 */
export function prepareDemoUsers(domain: string): Promise<ChosenUsers> {
  return prepareChosenUsers(demoUsers(domain));
}

/** A demo user as printed: `passwordChanged` when the account's password is no longer the demo one. */
export type SeededDemoUser = DemoUser & { passwordChanged: boolean };

/**
 * Adds the demo users that are missing; returns the full list for printing, each marked when its password was changed
 * since (someone tried the reset path): the demo password printed would no longer work, and the new one is nobody's
 * business.
 */
export async function seedDemoUsers(db: Db, domain: string, prepared?: Promise<ChosenUsers>): Promise<SeededDemoUser[]> {
  const list = demoUsers(domain);
  const rows = await db
    .select({ emailKey: users.emailKey, passwordHash: users.passwordHash })
    .from(users)
    .where(
      inArray(
        users.emailKey,
        list.map((u) => userIdKey(u.email)),
      ),
    );
  const existing = new Map(rows.map((r) => [r.emailKey, r.passwordHash]));
  const missing = list.filter((u) => !existing.has(userIdKey(u.email)));
  if (missing.length) {
    const chosen = await (prepared ?? prepareDemoUsers(domain));
    if (!chosen.ok) throw new Error(`demo users: ${chosen.problems.map((p) => p.message).join("; ")}`);
    const missingKeys = new Set(missing.map((u) => userIdKey(u.email)));
    await addChosenUsers(
      db,
      chosen.users.filter((u) => missingKeys.has(u.emailKey)),
      "demo-seed",
    );
    for (const u of missing) if (u.locked) await lockUser(db, u.email);
  }
  return Promise.all(
    list.map(async (u) => {
      const hash = existing.get(userIdKey(u.email));
      return { ...u, passwordChanged: hash !== undefined && !(await verifyPassword(hash, u.password)) };
    }),
  );
}

const CHANGED = "(changed)";

export function formatDemoUsers(list: SeededDemoUser[]): string {
  const width = Math.max(13, ...list.map((u) => u.password.length), CHANGED.length);
  const rows = list.map(
    (u) => `  ${u.email.padEnd(28)} ${(u.passwordChanged ? CHANGED : u.password).padEnd(width)} ${(u.phone ?? "—").padEnd(13)} ${u.note}`,
  );
  return [`  ${"user ID".padEnd(28)} ${"password".padEnd(width)} ${"mobile".padEnd(13)} what it shows`, ...rows].join("\n");
}
