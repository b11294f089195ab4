// The audit row of an outage (account.store_unavailable), through the real server actions with the portal configured
// for a directory it cannot reach (Next's request plumbing replaced by stubs, as in lib/recovery/actions.identify.test.ts):
// a sign-in and a wizard step each go to the 503 page, write that one row — who, where, never a secret — and change
// nothing else. What the stores and steps do without the directory is in tests/directories/store-contract.ts and
// lib/auth/portal.directory.test.ts.
import { eq } from "drizzle-orm";
import { afterAll, afterEach, expect, it, vi } from "vitest";
import { getAccountStore } from "@/lib/accounts";
import type { DirectoryAccountStore } from "@/lib/accounts/directory/store";
import { readConfig, type AppConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { auditEvents, outboxMessages, recoveryFlows, userSessions } from "@/lib/db/schema";
import { loadFlow } from "@/lib/recovery/flow-store";
import { chooseIntent, startRecovery } from "@/lib/recovery/steps";
import { passwordWorks } from "@/tests/directories/admin";
import { closedPortUrl } from "@/tests/directories/fake-servers";
import type { DirectoryKindUnderTest, DirectoryUnderTest } from "@/tests/directories/harness";
import { describeWithDirectory } from "@/tests/directories/store-contract";
import { directoryUnderTest } from "@/tests/directories/under-test";

const stubs = vi.hoisted(() => {
  class Redirected extends Error {
    constructor(readonly href: unknown) {
      super(`redirect to ${JSON.stringify(href)}`);
    }
  }
  return { Redirected, db: null as unknown, config: null as unknown, ip: "", flowToken: null as string | null };
});

vi.mock("next/server", () => ({ after: () => {} }));
vi.mock("next-intl/server", () => ({ getLocale: async () => "nl" }));
vi.mock("@/lib/i18n/navigation", () => ({
  redirect: ({ href }: { href: unknown }) => {
    throw new stubs.Redirected(href);
  },
}));
vi.mock("@/lib/security/request-context", () => ({
  getRequestContext: async () => ({ ip: stubs.ip, userAgent: "vitest/unavailable", locale: "nl", requestId: "vitest" }),
}));
vi.mock("@/lib/recovery/session", () => ({
  currentFlowToken: async () => stubs.flowToken,
  getFlowCookie: async () => ({ token: stubs.flowToken ?? undefined, save: async () => {}, destroy: () => {} }),
}));
vi.mock("@/lib/db/client", async (importOriginal) => ({ ...(await importOriginal<object>()), getDb: async () => stubs.db }));
vi.mock("@/lib/config", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/config")>();
  return { ...original, getConfig: () => (stubs.config as AppConfig | null) ?? original.getConfig() };
});

const { signInAction } = await import("@/lib/auth/actions");
const { submitNumberAction } = await import("@/lib/recovery/actions");

const PASSWORD = "Zomer-Tulpen-2026";
const MOBILE = "0612345691";
const setupContext = { ip: "192.0.2.10", userAgent: "vitest/setup", locale: "nl", requestId: "vitest" };
let ipCount = 0;

/** The portal configured with this directory, as in production, except that LDAP_URL is a port where nothing listens. */
async function unreachable(directory: DirectoryUnderTest, db: Db): Promise<void> {
  stubs.config = readConfig({ ...process.env, ...directory.env, LDAP_URL: await closedPortUrl(), LDAP_TIMEOUT_MS: "400" });
  stubs.db = db;
}

/** The log lines of the request (the outage is logged as well as audited), kept out of the test output. */
function logLines(): () => string {
  const spy = vi.spyOn(console, "error").mockImplementation(() => {});
  return () => spy.mock.calls.flat().map(String).join("\n");
}
afterEach(() => {
  vi.restoreAllMocks();
});

/** Posts a form to a server action from a new IP; the redirect it ends with, or a failure when it returned instead. */
async function post(action: (prev: { status: "idle" }, form: FormData) => Promise<unknown>, fields: Record<string, string>) {
  stubs.ip = `198.51.100.${++ipCount}`;
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  let answered: unknown;
  try {
    answered = await action({ status: "idle" }, form);
  } catch (error) {
    if (error instanceof stubs.Redirected) return { redirectedTo: error.href, ip: stubs.ip };
    throw error;
  }
  throw new Error(`no redirect; the action answered ${JSON.stringify(answered)}`);
}

for (const kind of ["ad", "ldap"] as DirectoryKindUnderTest[]) {
  const directory = await directoryUnderTest(kind);
  describeWithDirectory(`the outage's audit row with DIRECTORY=${kind}`, directory, (fixture) => {
    const user = () => fixture().admin.createUser({ givenName: "Noor", sn: "Bakker", password: PASSWORD, mobile: MOBILE });
    const rowsFrom = (ip: string) => fixture().db.db.select().from(auditEvents).where(eq(auditEvents.ip, ip));
    const count = async (table: typeof recoveryFlows | typeof outboxMessages | typeof userSessions) =>
      (await fixture().db.db.select().from(table)).length;

    afterAll(() => {
      // getAccountStore made one store for this database, with the unreachable URL: end its pools.
      if (stubs.config) (getAccountStore(fixture().db.db) as DirectoryAccountStore).close();
      stubs.config = null;
    });

    it("a sign-in: the 503 page and one account.store_unavailable row without the password; no session, the password unchanged", async () => {
      const { db, directory } = fixture();
      const noor = await user();
      await unreachable(directory, db.db);
      const sessionsBefore = await count(userSessions);
      const logged = logLines();

      const { redirectedTo, ip } = await post(signInAction, { username: noor.mail, password: PASSWORD });
      expect(redirectedTo).toBe("/unavailable");
      const rows = await rowsFrom(ip);
      expect(rows).toEqual([
        expect.objectContaining({
          event: "account.store_unavailable",
          outcome: "failure",
          reason: "unreachable",
          userId: null,
          flowId: null,
          subjectHash: null,
          userAgent: "vitest/unavailable",
          details: { during: "sign-in" },
        }),
      ]);
      // Neither the password nor the typed ID (the trail keeps IDs only as keyed hashes).
      expect(JSON.stringify(rows)).not.toContain(PASSWORD);
      expect(JSON.stringify(rows).toLowerCase()).not.toContain(noor.mail);
      expect(logged()).toMatch(/account store unavailable during sign-in/);
      expect(logged()).not.toContain(PASSWORD);
      expect(await count(userSessions)).toBe(sessionsBefore);
      expect(await passwordWorks(directory, noor.dn, PASSWORD)).toBe(true);
    });

    it("a wizard step (the number): the 503 page and one account.store_unavailable row with the flow, no number in it; the flow where it was, no code", async () => {
      const { db, store, directory } = fixture();
      const noor = await user();
      // The flow started while the directory was there.
      const started = await startRecovery(db.db, { typedId: noor.mail, intent: "reset", context: setupContext, accounts: store });
      if (started.kind !== "started") throw new Error(JSON.stringify(started));
      await chooseIntent(db.db, (await loadFlow(db.db, started.token))!, "reset", { context: setupContext, accounts: store });
      const onNumber = (await loadFlow(db.db, started.token))!;
      expect(onNumber.step).toBe("verify");
      const flowsBefore = await count(recoveryFlows);
      const messagesBefore = await count(outboxMessages);

      await unreachable(directory, db.db);
      stubs.flowToken = started.token;
      const logged = logLines();
      const { redirectedTo, ip } = await post(submitNumberAction, { channel: "sms", phone: MOBILE });
      expect(redirectedTo).toBe("/unavailable");
      const rows = await rowsFrom(ip);
      expect(rows).toEqual([
        expect.objectContaining({
          event: "account.store_unavailable",
          outcome: "failure",
          reason: "unreachable",
          flowId: onNumber.id,
          userId: onNumber.userId,
          details: { during: "verify" },
        }),
      ]);
      expect(onNumber.userId).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(rows)).not.toMatch(/12345691|Zomer-Tulpen/);
      expect(logged()).toMatch(/account store unavailable during verify/);
      expect(logged()).not.toMatch(/12345691/);

      const after = (await loadFlow(db.db, started.token))!;
      expect({ step: after.step, sends: after.sends, phoneMismatches: after.phoneMismatches }).toEqual({
        step: "verify",
        sends: 0,
        phoneMismatches: 0,
      });
      expect(await count(recoveryFlows)).toBe(flowsBefore);
      expect(await count(outboxMessages)).toBe(messagesBefore);
      expect(await passwordWorks(directory, noor.dn, PASSWORD)).toBe(true);
    });
  });
}
