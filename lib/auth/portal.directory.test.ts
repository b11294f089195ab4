// Directory accounts in the portal itself, against a real Samba AD DC and slapd with ppolicy (issue #9): the sign-in
// binds as the user and opens a server-side session although the account has no users row; the lockout is the
// directory's own (the portal keeps no second counter); a member of LDAP_ADMIN_GROUP_DN signs in to the admin area with
// the SMS code; a password reset ends the sessions; and a directory that cannot be reached changes nothing and sends no
// code for a step it could not check.
import { and, asc, eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { checkAdminSession } from "@/lib/admin/session";
import { loadPendingSignIn, startAdminSignIn, verifyAdminCode } from "@/lib/admin/sign-in";
import { AccountStoreUnavailable } from "@/lib/accounts/types";
import { auditEvents, outboxMessages, recoveryFlows, users } from "@/lib/db/schema";
import { loadFlow } from "@/lib/recovery/flow-store";
import { chooseIntent, startRecovery, submitNumber } from "@/lib/recovery/steps";
import { passwordWorks } from "@/tests/directories/admin";
import { closedPortUrl } from "@/tests/directories/fake-servers";
import type { DirectoryKindUnderTest } from "@/tests/directories/harness";
import { describeWithDirectory, storeFor } from "@/tests/directories/store-contract";
import { directoryUnderTest } from "@/tests/directories/under-test";
import { endAllSessions, loadUserSession, openUserSession } from "./sessions";
import { signIn } from "./sign-in";

const PASSWORD = "Zomer-Tulpen-2026";
const MOBILE = "0612345691";
const context = { ip: "192.0.2.77", userAgent: "vitest/directory", locale: "nl", requestId: "vitest" };
/** The portal's LOCKOUT_THRESHOLD set to the directories' own (both lock after 5), as the README advises. */
const policy = { threshold: 5, durationMinutes: 30 };

for (const kind of ["ad", "ldap"] as DirectoryKindUnderTest[]) {
  const directory = await directoryUnderTest(kind);
  describeWithDirectory(`the portal with DIRECTORY=${kind}`, directory, (fixture) => {
    const user = () => fixture().admin.createUser({ givenName: "Noor", sn: "Bakker", password: PASSWORD, mobile: MOBILE });

    it("signs in by binding as the user and opens a session that needs no users row; sign-out ends it", async () => {
      const { db, store } = fixture();
      const noor = await user();
      const result = await signIn(db.db, { userId: noor.mail, password: PASSWORD, context }, store);
      expect(result).toMatchObject({ kind: "success", isAdmin: false });
      if (result.kind !== "success") return;
      expect(await db.db.select().from(users)).toEqual([]);
      const { token } = await openUserSession(db.db, result.userId);
      expect((await loadUserSession(db.db, token, { accounts: store }))?.account).toMatchObject({ userId: noor.mail, lastName: "Bakker" });
      await endAllSessions(db.db, result.userId, "signed-out");
      expect(await loadUserSession(db.db, token, { accounts: store })).toBeNull();
    });

    it("a password that must be changed first is 'must-change' with the right password only (the sign-in page says so)", async () => {
      const { db, store, admin, directory } = fixture();
      const spec = { givenName: "Noor", sn: "Bakker", password: PASSWORD, mobile: MOBILE };
      const noor = await admin.createUser(kind === "ldap" ? { ...spec, policyDn: directory.policies!.mustChange } : spec);
      if (kind === "ad") await admin.replace(noor.dn, "pwdLastSet", ["0"]);
      else await admin.replace(noor.dn, "pwdReset", ["TRUE"]);
      expect(await signIn(db.db, { userId: noor.mail, password: PASSWORD, context }, store)).toEqual({ kind: "must-change" });
      expect(await signIn(db.db, { userId: noor.mail, password: "Verkeerd-Wachtwoord-9", context }, store)).toEqual({ kind: "invalid" });
    });

    it("leaves the lockout to the directory: its threshold locks, and the right password is then 'locked'", async () => {
      const { db, store, directory } = fixture();
      const noor = await user();
      const answers: string[] = [];
      for (let i = 0; i < directory.policy.lockoutThreshold; i++) {
        answers.push((await signIn(db.db, { userId: noor.mail, password: `Verkeerd-${i}-Wachtwoord`, context, policy }, store)).kind);
      }
      // The answers count per typed ID, as the builtin store's do: "locked" once the threshold is reached.
      expect(answers).toEqual([...Array(directory.policy.lockoutThreshold - 1).fill("invalid"), "locked"]);
      await expect.poll(async () => (await store.find(noor.mail))?.locked, { timeout: 5_000 }).toBe(true);
      expect((await signIn(db.db, { userId: noor.mail, password: PASSWORD, context, policy }, store)).kind).toBe("locked");
      // The lock is the directory's: Toegang keeps no users row for the account.
      expect(await db.db.select().from(users)).toEqual([]);
      const account = (await store.find(noor.mail))!;
      const refused = await db.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.event, "sign_in.refused"), eq(auditEvents.reason, "account-locked")));
      expect(refused.length).toBeGreaterThan(0);
      // Unlocked through the portal's store, the right password signs in again.
      await store.unlock(account);
      expect((await signIn(db.db, { userId: noor.mail, password: PASSWORD, context, policy }, store)).kind).toBe("success");
    });

    it("an account the directory already locked answers a wrong password like any other account, never 'locked' at once", async () => {
      const { db, store, directory } = fixture();
      const threshold = directory.policy.lockoutThreshold;
      // Locked outside the portal (say, Windows sign-ins): wrong binds straight against the directory.
      const locked = await user();
      for (let i = 0; i < threshold; i++) await store.checkPassword(locked.mail, `Elders-${i}-Fout`);
      await expect.poll(async () => (await store.find(locked.mail))?.locked, { timeout: 5_000 }).toBe(true);
      const unlocked = await user();
      /** What a stranger who does not know the password is told, attempt after attempt. */
      const strangerSees = async (userId: string) => {
        const seen: string[] = [];
        for (let i = 0; i < threshold + 1; i++)
          seen.push((await signIn(db.db, { userId, password: `Gok-${i}-Wachtwoord`, context, policy }, store)).kind);
        return seen;
      };
      const expected = [...Array(threshold - 1).fill("invalid"), "locked", "locked"];
      expect(await strangerSees(locked.mail)).toEqual(expected);
      expect(await strangerSees(unlocked.mail)).toEqual(expected);
      expect(await strangerSees(`niemand.${Date.now()}@example.nl`)).toEqual(expected);
      // The audit trail tells the truth: the locked account's first refusal was the directory's lock, answered "invalid".
      const [first] = await db.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.event, "sign_in.refused"), eq(auditEvents.reason, "account-locked")))
        .orderBy(asc(auditEvents.id))
        .then((rows) => rows.filter((r) => (r.details as { answered?: string } | null)?.answered === "invalid"));
      expect(first).toBeDefined();
    });

    it("a member of LDAP_ADMIN_GROUP_DN gets the SMS code and an admin session; a password change ends it", async () => {
      const { db, store, admin, directory } = fixture();
      const noor = await user();
      await admin.addMember(directory.adminGroupDn, noor.dn);
      const ctx = { context, accounts: store };
      const started = await startAdminSignIn(db.db, { userId: noor.mail, password: PASSWORD, ...ctx });
      expect(started.kind).toBe("code-sent");
      if (started.kind !== "code-sent") return;
      const pending = (await loadPendingSignIn(db.db, started.token, ctx))!;
      const [message] = await db.db
        .select()
        .from(outboxMessages)
        .where(eq(outboxMessages.flowId, pending.id))
        .orderBy(asc(outboxMessages.id));
      expect(message!.recipient).toBe("+31612345691");
      const verified = await verifyAdminCode(db.db, pending, /\b\d{6}\b/.exec(message!.body)![0], ctx);
      expect(verified.kind).toBe("signed-in");
      if (verified.kind !== "signed-in") return;
      const session = await checkAdminSession(db.db, verified.token, ctx);
      expect(session).toMatchObject({ kind: "active", identity: { email: noor.mail, displayName: "Noor Bakker" } });

      const account = (await store.find(noor.mail))!;
      const next = "Herfst-Eiken-2027";
      const changed = await store.setPassword(account, next, async (tx) => {
        await endAllSessions(tx, account.id);
        return true;
      });
      expect(changed).toEqual({ kind: "ok" });
      expect(await checkAdminSession(db.db, verified.token, ctx)).toEqual({ kind: "ended", reason: "password-changed" });
      expect(await passwordWorks(directory, noor.dn, next)).toBe(true);
    });

    it("an ordinary account with the right password gets no admin code", async () => {
      const { db, store } = fixture();
      const noor = await user();
      const sent = async () => (await db.db.select().from(outboxMessages)).length;
      const before = await sent();
      expect(await startAdminSignIn(db.db, { userId: noor.mail, password: PASSWORD, context, accounts: store })).toEqual({
        kind: "invalid",
      });
      expect(await sent()).toBe(before);
    });

    it("a directory that cannot be reached: no flow is started, no code is sent, nothing changes, and it works again afterwards", async () => {
      const { db, store, directory } = fixture();
      const noor = await user();
      const down = storeFor(directory, db, { LDAP_URL: await closedPortUrl(), LDAP_TIMEOUT_MS: "400" });
      const flowsBefore = (await db.db.select().from(recoveryFlows)).length;
      const messagesBefore = (await db.db.select().from(outboxMessages)).length;
      try {
        await expect(startRecovery(db.db, { typedId: noor.mail, intent: "reset", context, accounts: down })).rejects.toBeInstanceOf(
          AccountStoreUnavailable,
        );
        expect(await db.db.select().from(recoveryFlows)).toHaveLength(flowsBefore);

        // A flow started while the directory was there; it goes away before the number is checked.
        const started = await startRecovery(db.db, { typedId: noor.mail, intent: "reset", context, accounts: store });
        if (started.kind !== "started") throw new Error(JSON.stringify(started));
        const flow = (await loadFlow(db.db, started.token))!;
        await chooseIntent(db.db, flow, "reset", { context, accounts: store });
        const onNumber = (await loadFlow(db.db, started.token))!;
        await expect(submitNumber(db.db, onNumber, { channel: "sms", typed: MOBILE, context, accounts: down })).rejects.toBeInstanceOf(
          AccountStoreUnavailable,
        );
        expect(await db.db.select().from(outboxMessages)).toHaveLength(messagesBefore);
        const after = (await loadFlow(db.db, started.token))!;
        expect({ step: after.step, sends: after.sends, phoneMismatches: after.phoneMismatches }).toEqual({
          step: onNumber.step,
          sends: 0,
          phoneMismatches: 0,
        });
        // Back again: the same flow goes on and the code goes out.
        // Delivery runs after the response (Next's after()); here it is collected and run before looking.
        const deferred: Array<() => Promise<void>> = [];
        const schedule = (task: () => Promise<void>) => void deferred.push(task);
        expect(await submitNumber(db.db, after, { channel: "sms", typed: MOBILE, context, accounts: store, schedule })).toMatchObject({
          kind: "moved",
        });
        for (const task of deferred) await task();
        expect(await db.db.select().from(outboxMessages)).toHaveLength(messagesBefore + 1);
        expect(await passwordWorks(directory, noor.dn, PASSWORD)).toBe(true);
      } finally {
        down.close();
      }
    });
  });
}
