// The builtin account store: Toegang's own users and password_history tables (the embedded default, the users CLI, the
// demo users). The lockout is the portal's (lib/auth counts wrong passwords in the same rows); the Account id is users.id.
import "server-only";
import { eq, sql } from "drizzle-orm";
import { isLocked, unlocked } from "@/lib/auth/lockout";
import type { Db } from "@/lib/db/client";
import { passwordHistory, users } from "@/lib/db/schema";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "@/lib/password/hash";
import { historyEntry, reuseRules } from "@/lib/password/check";
import { userIdKey } from "@/lib/users/normalize";
import type { Account, AccountStore, ChangeResult, RecordChange, SetPasswordResult, UnlockResult } from "./types";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const accountColumns = {
  id: users.id,
  email: users.email,
  firstName: users.firstName,
  lastName: users.lastName,
  mobile: users.mobile,
  isAdmin: users.isAdmin,
  failedSignIns: users.failedSignIns,
  lockedAt: users.lockedAt,
  lockedUntil: users.lockedUntil,
  passwordChangedAt: users.passwordChangedAt,
  passwordChangeRequired: users.passwordChangeRequired,
};

type AccountRow = Pick<typeof users.$inferSelect, keyof typeof accountColumns>;

function toAccount(row: AccountRow, now: Date): Account {
  const locked = isLocked(row, now);
  return {
    id: row.id,
    source: "builtin",
    userId: row.email,
    firstName: row.firstName,
    lastName: row.lastName,
    mobile: row.mobile,
    locked,
    lockedUntil: locked ? row.lockedUntil : null,
    passwordChangedAt: row.passwordChangedAt,
    passwordChangeRequired: row.passwordChangeRequired,
    isAdmin: row.isAdmin,
  };
}

export type BuiltinOptions = { clock?: () => Date };

/** The store over a database (or a getter, so the portal opens its database only when the store is first used). */
export function builtinAccountStore(source: Db | (() => Promise<Db>), options: BuiltinOptions = {}): AccountStore {
  const db = async () => (typeof source === "function" ? source() : source);
  const now = options.clock ?? (() => new Date());

  async function findBy(where: ReturnType<typeof eq>) {
    const [row] = await (
      await db()
    )
      .select({ ...accountColumns, passwordHash: users.passwordHash })
      .from(users)
      .where(where)
      .limit(1);
    return row ?? null;
  }

  /** Runs the record and, when it still wants the change, the change itself, in one transaction. */
  async function change(record: RecordChange | undefined, apply: (tx: Parameters<RecordChange>[0]) => Promise<void>) {
    return (await db()).transaction(async (tx) => {
      if (record && !(await record(tx))) return false;
      await apply(tx);
      return true;
    });
  }

  return {
    kind: "builtin",
    lockout: "portal",

    async find(typedId) {
      const row = await findBy(eq(users.emailKey, userIdKey(typedId)));
      return row ? toAccount(row, now()) : null;
    },

    async get(id) {
      if (!UUID.test(id)) return null;
      const row = await findBy(eq(users.id, id));
      return row ? toAccount(row, now()) : null;
    },

    async checkPassword(typedId, password) {
      const row = await findBy(eq(users.emailKey, userIdKey(typedId)));
      // Unknown IDs spend the same time on a hash as real accounts, and get the same answer as a wrong password.
      if (!row) {
        await verifyAgainstDummy(password);
        return { kind: "wrong" };
      }
      if (!(await verifyPassword(row.passwordHash, password))) return { kind: "wrong" };
      const account = toAccount(row, now());
      return row.passwordChangeRequired ? { kind: "must-change", account } : { kind: "ok", account };
    },

    async setPassword(account, password, record): Promise<SetPasswordResult> {
      const reused = await reuseRules(await db(), account.id, password, { full: true });
      if (reused.length) return { kind: "refused", rules: reused };
      const passwordHash = await hashPassword(password);
      const at = now();
      const done = await change(record, async (tx) => {
        await tx
          .update(users)
          .set({ passwordHash, passwordChangedAt: at, passwordChangeRequired: false, ...unlocked, updatedAt: at })
          .where(eq(users.id, account.id));
        await tx.insert(passwordHistory).values(historyEntry(account.id, password, passwordHash, at));
      });
      return done ? { kind: "ok" } : { kind: "superseded" };
    },

    async unlock(account, record): Promise<UnlockResult> {
      const at = now();
      const done = await change(record, async (tx) => {
        await tx
          .update(users)
          .set({ ...unlocked, updatedAt: at })
          .where(eq(users.id, account.id));
      });
      return done ? { kind: "ok" } : { kind: "superseded" };
    },

    async requirePasswordChange(account, record): Promise<ChangeResult> {
      const at = now();
      const done = await change(record, async (tx) => {
        await tx.update(users).set({ passwordChangeRequired: true, updatedAt: at }).where(eq(users.id, account.id));
      });
      return done ? { kind: "ok" } : { kind: "superseded" };
    },

    async mobileConfirmedAt(account) {
      const [row] = await (await db()).select({ at: users.mobileConfirmedAt }).from(users).where(eq(users.id, account.id)).limit(1);
      return row?.at ?? null;
    },

    async setMobile(account, mobile, at, record): Promise<ChangeResult> {
      const done = await change(record, async (tx) => {
        await tx.update(users).set({ mobile, mobileConfirmedAt: at, updatedAt: at }).where(eq(users.id, account.id));
      });
      return done ? { kind: "ok" } : { kind: "superseded" };
    },

    async confirmMobile(account, at, record): Promise<ChangeResult> {
      const done = await change(record, async (tx) => {
        await tx.update(users).set({ mobileConfirmedAt: at }).where(eq(users.id, account.id));
      });
      return done ? { kind: "ok" } : { kind: "superseded" };
    },

    async describe(account) {
      const [row] = await (
        await db()
      )
        .select({ createdAt: users.createdAt, updatedAt: users.updatedAt })
        .from(users)
        .where(eq(users.id, account.id))
        .limit(1);
      return { createdAt: row?.createdAt ?? null, updatedAt: row?.updatedAt ?? null };
    },

    async ping() {
      await (await db()).execute(sql`select 1`);
    },
  };
}
