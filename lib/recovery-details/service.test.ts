// "Mijn herstelgegevens" on the builtin store, on both drivers: the password again (counted like a sign-in), a code to
// the new number only, the old number told once the change is made, the caps, and "Klopt dit nummer nog?".
import type { Schedule } from "@/lib/background";
import { and, asc, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// A small per-number cap (vitest.config.ts raises it for the files that give many users one number); read once, before
// the configuration is first used.
vi.hoisted(() => {
  process.env.LIMIT_CODES_PER_NUMBER_PER_DAY = "3";
});
import { builtinAccountStore } from "@/lib/accounts/builtin";
import type { AccountStore } from "@/lib/accounts/types";
import { signIn } from "@/lib/auth/sign-in";
import { getConfig } from "@/lib/config";
import type { DbHandle } from "@/lib/db/client";
import { auditEvents, outboxMessages, users } from "@/lib/db/schema";
import { MOBILE_CHANGES_PER_DAY } from "@/lib/limits/policies";
import { addUser } from "@/lib/users/service";
import { drivers, freshDb } from "@/tests/db";
import {
  cancelMobileChange,
  confirmCurrentMobile,
  loadRecoveryDetails,
  startMobileChange,
  verifyMobileChange,
  type DetailsCtx,
} from "./service";

const PASSWORD = "Zeilboot2026!start";
const DAY = 86_400_000;

describe.each(drivers())("recovery details on %s", (driver) => {
  let h: DbHandle;
  let store: AccountStore;
  const queue: (() => Promise<void>)[] = [];
  const schedule: Schedule = (task) => void queue.push(task);
  const drain = async () => {
    while (queue.length) await queue.shift()!();
  };
  let n = 0;
  // Each test its own IP, so the shared per-IP sign-in budget never decides a test that is not about it.
  const ctx = (extra: Partial<DetailsCtx> = {}): DetailsCtx => ({
    context: { ip: `10.88.0.${n}`, userAgent: "vitest/recovery-details", locale: "nl", requestId: "vitest-details" },
    schedule,
    store,
    ...extra,
  });

  async function user(phone: string | null) {
    const email = `herstel.${++n}@example.nl`;
    const added = await addUser(h.db, { email, firstName: "Herstel", lastName: `Gebruiker${n}`, phone, password: PASSWORD });
    if (!added.ok) throw new Error(JSON.stringify(added.problems));
    const [row] = await h.db.select({ id: users.id }).from(users).where(eq(users.email, email));
    return (await store.get(row!.id))!;
  }
  const smsTo = (recipient: string) =>
    h.db.select().from(outboxMessages).where(eq(outboxMessages.recipient, recipient)).orderBy(asc(outboxMessages.id));
  const codeIn = (body: string) => /\b(\d{6})\b/.exec(body)![1]!;
  const rows = (id: string, event: string) =>
    h.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, id), eq(auditEvents.event, event)))
      .orderBy(desc(auditEvents.id));

  beforeAll(async () => {
    h = await freshDb(driver);
    store = builtinAccountStore(h.db);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("sends the code to the new number only, and tells the old number once the right code changed it", async () => {
    const account = await user("06-23450001");
    const now = new Date();
    expect(await startMobileChange(h.db, account, { mobile: "06 2345 0002", password: PASSWORD }, ctx({ now }))).toEqual({
      kind: "code-sent",
    });
    const [code] = await smsTo("+31623450002");
    expect(code).toMatchObject({ purpose: "code", locale: "nl" });
    expect(await smsTo("+31623450001")).toHaveLength(0);
    const details = await loadRecoveryDetails(h.db, account, ctx({ now }));
    expect(details.pending?.maskedNumber).toBe("*****02");
    expect(details.maskedNumber).toBe("*****01");

    // A wrong code changes nothing and says how many tries are left.
    const wrong = codeIn(code!.body) === "000000" ? "111111" : "000000";
    expect(await verifyMobileChange(h.db, account, wrong, ctx({ now }))).toEqual({ kind: "wrong-code", attemptsLeft: 4 });
    expect((await store.get(account.id))!.mobile).toBe("+31623450001");

    expect(await verifyMobileChange(h.db, account, codeIn(code!.body), ctx({ now }))).toEqual({ kind: "changed", registered: false });
    const after = (await store.get(account.id))!;
    expect(after.mobile).toBe("+31623450002");
    expect(await store.mobileConfirmedAt(after)).toEqual(now);
    // The code is used once; typed again (a second tab, Back), it is told the change was completed, and nothing changes.
    expect(await verifyMobileChange(h.db, account, codeIn(code!.body), ctx({ now }))).toEqual({ kind: "already-changed" });
    expect((await store.get(account.id))!.mobile).toBe("+31623450002");

    await drain();
    const [alert] = await smsTo("+31623450001");
    expect(alert).toMatchObject({ purpose: "notification", locale: "nl" });
    expect(alert!.body).toMatch(/gewijzigd in een nummer eindigend op 02/);
    expect(await smsTo("+31623450002")).toHaveLength(1);
    expect(await rows(account.id, "mobile.changed")).toHaveLength(1);
    expect(await rows(account.id, "message.queued")).toHaveLength(1);
    // The new number now works in the wizard's sense: it is the account's registered number.
    expect((await loadRecoveryDetails(h.db, after, ctx({ now }))).reconfirmDue).toBe(false);
  });

  it("refuses a wrong password, counting it like a failed sign-in, and sends nothing", async () => {
    const account = await user("06-23450011");
    expect(await startMobileChange(h.db, account, { mobile: "06-23450012", password: "Verkeerd2026!nee" }, ctx())).toEqual({
      kind: "wrong-password",
    });
    expect(await smsTo("+31623450012")).toHaveLength(0);
    const [row] = await h.db.select({ failed: users.failedSignIns }).from(users).where(eq(users.id, account.id));
    expect(row!.failed).toBe(1);
    expect(await rows(account.id, "sign_in.failed")).toHaveLength(1);
    expect((await rows(account.id, "mobile.change_refused"))[0]).toMatchObject({ reason: "wrong-password" });
  });

  it("locks the account after as many wrong passwords as a sign-in would", async () => {
    const account = await user("06-23450021");
    const threshold = getConfig().lockout.threshold;
    const answers: string[] = [];
    for (let i = 0; i < threshold + 1; i++) {
      answers.push((await startMobileChange(h.db, account, { mobile: "06-23450022", password: `Verkeerd${i}!nee` }, ctx())).kind);
    }
    expect(answers.at(-1)).toBe("locked");
    expect((await signIn(h.db, { userId: account.userId, password: PASSWORD, context: ctx().context }, store)).kind).toBe("locked");
  });

  it("refuses landlines and invalid numbers before the password is checked", async () => {
    const account = await user("06-23450031");
    const start = (mobile: string) => startMobileChange(h.db, account, { mobile, password: "Verkeerd2026!nee" }, ctx());
    expect(await start("020-5551234")).toEqual({ kind: "number", problem: "not-mobile" });
    expect(await start("12345")).toEqual({ kind: "number", problem: "invalid" });
    expect(await start("+31 6 2345 0031")).toEqual({ kind: "number", problem: "same-number" });
    expect(await rows(account.id, "sign_in.failed")).toHaveLength(0);
    expect((await rows(account.id, "mobile.change_refused")).map((r) => r.reason)).toEqual(["same-number", "invalid-number", "not-mobile"]);
  });

  it("registers a first number without notifying anyone else", async () => {
    const account = await user(null);
    expect((await loadRecoveryDetails(h.db, account, ctx())).reconfirmDue).toBe(true);
    expect((await startMobileChange(h.db, account, { mobile: "06-23450041", password: PASSWORD }, ctx())).kind).toBe("code-sent");
    const [code] = await smsTo("+31623450041");
    expect(await verifyMobileChange(h.db, account, codeIn(code!.body), ctx())).toEqual({ kind: "changed", registered: true });
    expect(queue).toHaveLength(0);
    expect((await store.get(account.id))!.mobile).toBe("+31623450041");
  });

  it("ends the change after too many wrong codes; the number stays", async () => {
    const account = await user("06-23450051");
    await startMobileChange(h.db, account, { mobile: "06-23450052", password: PASSWORD }, ctx());
    const [code] = await smsTo("+31623450052");
    const wrong = codeIn(code!.body) === "000000" ? "111111" : "000000";
    const kinds: string[] = [];
    for (let i = 0; i < 5; i++) kinds.push((await verifyMobileChange(h.db, account, wrong, ctx())).kind);
    expect(kinds).toEqual(["wrong-code", "wrong-code", "wrong-code", "wrong-code", "ended"]);
    expect(await verifyMobileChange(h.db, account, codeIn(code!.body), ctx())).toEqual({ kind: "ended" });
    expect((await store.get(account.id))!.mobile).toBe("+31623450051");
  });

  it("cancelling forgets the change: its code no longer works", async () => {
    const account = await user("06-23450061");
    await startMobileChange(h.db, account, { mobile: "06-23450062", password: PASSWORD }, ctx());
    const [code] = await smsTo("+31623450062");
    await cancelMobileChange(h.db, account, ctx());
    expect((await loadRecoveryDetails(h.db, account, ctx())).pending).toBeNull();
    expect(await verifyMobileChange(h.db, account, codeIn(code!.body), ctx())).toEqual({ kind: "ended" });
    expect(await rows(account.id, "mobile.change_cancelled")).toHaveLength(1);
  });

  it(`caps the codes one account may send to new numbers at ${MOBILE_CHANGES_PER_DAY} a day`, async () => {
    const account = await user("06-23450071");
    const kinds: string[] = [];
    for (let i = 0; i <= MOBILE_CHANGES_PER_DAY; i++) {
      kinds.push((await startMobileChange(h.db, account, { mobile: `06-2345008${i}`, password: PASSWORD }, ctx())).kind);
    }
    expect(kinds.slice(0, MOBILE_CHANGES_PER_DAY).every((k) => k === "code-sent")).toBe(true);
    expect(kinds.at(-1)).toBe("rate-limited");
    expect(await smsTo(`+3162345008${MOBILE_CHANGES_PER_DAY}`)).toHaveLength(0);
    expect((await rows(account.id, "mobile.code_sent"))[0]).toMatchObject({ outcome: "refused", details: { rule: "per-account-limit" } });
  });

  it("caps codes to one number per day like the wizard does (over every account)", async () => {
    const perNumber = getConfig().limits.codesPerNumberPerDay;
    const kinds: string[] = [];
    for (let i = 0; i <= perNumber; i++) {
      const account = await user(`06-2346${String(i).padStart(4, "0")}`);
      kinds.push((await startMobileChange(h.db, account, { mobile: "06-23450099", password: PASSWORD }, ctx())).kind);
    }
    expect(kinds.at(-1)).toBe("send-failed");
    expect(await smsTo("+31623450099")).toHaveLength(perNumber);
  });

  it("asks to confirm a number never confirmed or confirmed too long ago; one click confirms it, audited", async () => {
    const account = await user("06-23450101");
    const now = new Date();
    const days = getConfig().recovery.reconfirmDays;
    expect((await loadRecoveryDetails(h.db, account, ctx({ now }))).reconfirmDue).toBe(true);
    expect(await confirmCurrentMobile(h.db, account, ctx({ now }))).toEqual({ kind: "confirmed" });
    expect((await loadRecoveryDetails(h.db, account, ctx({ now }))).confirmedAt).toEqual(now);
    expect((await loadRecoveryDetails(h.db, account, ctx({ now: new Date(now.getTime() + days * DAY) }))).reconfirmDue).toBe(false);
    expect((await loadRecoveryDetails(h.db, account, ctx({ now: new Date(now.getTime() + (days + 1) * DAY) }))).reconfirmDue).toBe(true);
    expect((await rows(account.id, "mobile.confirmed"))[0]).toMatchObject({ outcome: "success", reason: "reconfirm" });

    const none = await user(null);
    expect(await confirmCurrentMobile(h.db, none, ctx())).toEqual({ kind: "no-number" });
  });
});
