// The steps an attacker can time do the same database work whether or not the typed number matched (issue 10, item 8:
// a matching number was answered 3–5 ms slower, because only it wrote a code and a second audit row). Compared here as
// the exact list of SQL statements each path runs before it answers, which is what the time was made of, rather than
// by timing on a shared machine. PGlite only: the statements are the driver's, the same on PostgreSQL.
import { drizzle } from "drizzle-orm/pglite";
import type { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, DbHandle } from "@/lib/db/client";
import * as schema from "@/lib/db/schema";
import { freshDb } from "@/tests/db";
import { chooseIntent, resendCode, submitNumber, verifyCode } from "./steps";
import { Harness, MOBILE_NATIONAL, OTHER_MOBILE, at, t0, type Client } from "./steps.test-helper";

describe("same work whether or not the number matched", () => {
  let handle: DbHandle;
  let h: Harness;
  let recording: string[] | null = null;
  beforeAll(async () => {
    handle = await freshDb("pglite");
    const client = (handle.db as unknown as { $client: PGlite }).$client;
    const logged = drizzle(client, { schema, logger: { logQuery: (query) => recording?.push(query) } }) as unknown as Db;
    h = new Harness(logged, 8);
  });
  afterAll(async () => {
    await handle?.close();
  });

  /** The SQL statements `work` runs (parameters are bound, so the text is the work's shape). */
  async function statements(work: () => Promise<unknown>): Promise<string[]> {
    recording = [];
    try {
      await work();
      return recording;
    } finally {
      recording = null;
    }
  }

  /** A flow on the number step, for a user with the registered number. */
  async function onVerify(c: Client) {
    const u = await h.newUser();
    const { token } = await h.start(u.email, c);
    await chooseIntent(h.db, await h.guard(token, "intent", c), "reset", c.ctx());
    return token;
  }

  it("the number step, a resend and a wrong code: the same statements for a matching and a wrong number", async () => {
    const runs = [];
    for (const typed of [MOBILE_NATIONAL, OTHER_MOBILE]) {
      const c = h.client();
      const token = await onVerify(c);
      const number = await statements(async () =>
        expect(await submitNumber(h.db, await h.guard(token, "verify", c), { channel: "sms", typed, ...c.ctx() })).toEqual({
          kind: "moved",
          step: "code",
        }),
      );
      const flow = await h.guard(token, "code", c, at(60));
      const resend = await statements(async () =>
        expect(await resendCode(h.db, flow, c.ctx(at(60)))).toEqual({ kind: "moved", step: "code" }),
      );
      const again = await h.guard(token, "code", c, at(61));
      const wrong = await statements(async () =>
        expect(await verifyCode(h.db, again, "000000", c.ctx(at(61)))).toEqual({ kind: "wrong-code", attemptsLeft: 4 }),
      );
      runs.push({ number, resend, wrong });
      await h.flush();
    }
    const [matched, mismatched] = runs;
    expect(matched!.number.length).toBeGreaterThan(5);
    expect(mismatched!.number).toEqual(matched!.number);
    expect(mismatched!.resend).toEqual(matched!.resend);
    expect(mismatched!.wrong).toEqual(matched!.wrong);
    // The matching flow's code went out; the other flow's was withheld and can never pass.
    expect(await h.auditWhere({ event: "recovery.code_withheld" })).toHaveLength(2);
  });

  it("a withheld code is stored void: even the code it would have been is refused", async () => {
    const c = h.client();
    const token = await onVerify(c);
    await submitNumber(h.db, await h.guard(token, "verify", c), { channel: "sms", typed: OTHER_MOBILE, ...c.ctx() });
    const codes = await h.db.query.verificationCodes.findMany();
    const withheld = codes.filter((r) => r.createdAt.getTime() === t0.getTime() && r.voidedAt !== null);
    expect(withheld.length).toBeGreaterThan(0);
    expect(withheld.every((r) => r.usedAt === null)).toBe(true);
  });
});
