// The user's alert commits with the change or not at all: when the database fails at the moment the reset or unlock
// is written (the statement that stores the alert fails, after every other write of the change), neither the new
// password/unlock nor its message exist; once the database is back the same step completes with both.
// (Killing the connection at that moment instead — pg_terminate_backend from a trigger — rolls back the same way, but
// postgres.js 3.4.9 would then throw an uncaught TypeError from a write queued on the closed socket (connection.js:255);
// lib/db/dead-transaction.ts guards against that, and lib/db/dead-transaction.test.ts kills connections that way.)
import { and, eq, ne, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { messageQueue } from "@/lib/db/schema";
import { verifyPassword } from "@/lib/password/hash";
import { drivers, freshDb } from "@/tests/db";
import { chooseNewPassword, verifyCode } from "./steps";
import { Harness, NEW_PASSWORD, PASSWORD, t0 } from "./steps.test-helper";

const at = (s: number) => new Date(t0.getTime() + s * 1000);

/** The database's failure, installed at the moment the alert is stored (every earlier write of the change is done). */
const failures = {
  "the database failing": `raise exception 'database gone' using errcode = '57P01'`,
} as const;

describe.each(drivers())("reset and unlock alerts on %s", (driver) => {
  let handle: DbHandle;
  let h: Harness;
  beforeAll(async () => {
    handle = await freshDb(driver);
    h = new Harness(handle.db, 41);
  });
  afterAll(async () => {
    await handle?.close();
  });

  async function failAtTheAlert(kind: keyof typeof failures) {
    await handle.db.execute(
      sql.raw(`create or replace function fail_alert() returns trigger language plpgsql as $$ begin ${failures[kind]}; return new; end $$`),
    );
    await handle.db.execute(sql.raw(`create trigger fail_alert before insert on message_queue for each row execute function fail_alert()`));
  }
  async function databaseBack() {
    await handle.db.execute(sql.raw(`drop trigger if exists fail_alert on message_queue`));
  }
  // The flow's notifications (its codes have message rows too, lib/messaging/code-messages.ts).
  const messagesOf = (flowId: string) =>
    handle.db
      .select()
      .from(messageQueue)
      .where(and(eq(messageQueue.flowId, flowId), ne(messageQueue.kind, "code")));

  const kinds = Object.keys(failures) as (keyof typeof failures)[];

  it.each(kinds)("reset, with %s: neither the new password nor its alert, then both", async (kind) => {
    const c = h.client();
    const u = await h.newUser();
    const { token, flowId, codes } = await h.toCode(u.email, c, { now: at(0), intent: "reset" });
    await verifyCode(h.db, await h.guard(token, "code", c, at(10)), codes[0]!, c.ctx(at(10)));
    const flow = await h.guard(token, "password", c, at(20));

    await failAtTheAlert(kind);
    try {
      await expect(
        chooseNewPassword(h.db, flow, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD, ...c.ctx(at(20)) }),
      ).rejects.toThrow();
    } finally {
      await databaseBack();
    }
    expect(await verifyPassword((await h.user(u.id)).passwordHash, PASSWORD)).toBe(true);
    expect(await h.history(u.id)).toHaveLength(1);
    expect(await messagesOf(flowId)).toEqual([]);
    expect(await h.events(flowId)).not.toContain("password.reset");
    expect((await h.flowRow(flowId)).step).toBe("password");

    // The database is back: the same page submits again and the change comes with its alert.
    const again = await h.guard(token, "password", c, at(30));
    expect(await chooseNewPassword(h.db, again, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD, ...c.ctx(at(30)) })).toEqual({
      kind: "moved",
      step: "done",
    });
    expect(await verifyPassword((await h.user(u.id)).passwordHash, NEW_PASSWORD)).toBe(true);
    expect(await messagesOf(flowId)).toMatchObject([{ kind: "reset", status: "pending", attempts: 0 }]);
    expect((await h.events(flowId)).slice(-2)).toEqual(["password.reset", "message.queued"]);
    await h.flush();
    expect(await messagesOf(flowId)).toMatchObject([{ kind: "reset", status: "sent", recipient: "", body: "" }]);
  });

  it.each(kinds)("unlock, with %s: the account stays locked and no alert exists, then both", async (kind) => {
    const c = h.client();
    const u = await h.newUser({ locked: true });
    const { token, flowId, codes } = await h.toCode(u.email, c, { now: at(0), intent: "unlock" });
    const flow = await h.guard(token, "code", c, at(10));

    await failAtTheAlert(kind);
    try {
      await expect(verifyCode(h.db, flow, codes[0]!, c.ctx(at(10)))).rejects.toThrow();
    } finally {
      await databaseBack();
    }
    expect((await h.user(u.id)).lockedAt).not.toBeNull();
    expect(await messagesOf(flowId)).toEqual([]);
    expect(await h.events(flowId)).not.toContain("account.unlocked");

    expect(await verifyCode(h.db, await h.guard(token, "code", c, at(20)), codes[0]!, c.ctx(at(20)))).toEqual({
      kind: "moved",
      step: "done",
    });
    expect((await h.user(u.id)).lockedAt).toBeNull();
    expect(await messagesOf(flowId)).toMatchObject([{ kind: "unlock", status: "pending" }]);
  });
});
