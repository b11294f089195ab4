// Shared set-up for the recovery steps's integration tests: users, clients with their own IP, a fake clock,
// a delivery queue the test drains, and readers for the outbox, the audit trail and the flow row.
import { asc, eq, sql } from "drizzle-orm";
import { expect } from "vitest";
import type { Db } from "@/lib/db/client";
import { rowsOf } from "@/lib/db/rows";
import { auditEvents, outboxMessages, passwordHistory, recoveryFlows, users } from "@/lib/db/schema";
import type { RequestContext } from "@/lib/security/request-context";
import { addUser } from "@/lib/users/service";
import type { Channel, Intent, Step } from "./flow";
import { guardFlow, type Deferred, type Flow, type Scheduler } from "./flow-store";
import { chooseIntent, startRecovery, submitNumber } from "./steps";

export const PASSWORD = "Zeilboot2026!start";
export const NEW_PASSWORD = "Herfst2027!nieuw";
/** The registered number in E.164, and the ways a user may type it. */
export const MOBILE = "+31612345656";
export const MOBILE_NATIONAL = "0612345656";
export const OTHER_MOBILE = "06-23456789";

export const t0 = new Date("2026-03-02T09:00:00.000Z");
/** t0 plus a number of seconds. */
export const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

export type Ctx = { context: RequestContext; now: Date; schedule: Scheduler };

/** One browser: its own IP (so per-IP limits of one test never touch another) and a clock the test moves. */
export type Client = { ip: string; ctx: (now?: Date) => Ctx };

export type TestUser = { id: string; email: string };

export class Harness {
  private users = 0;
  private clients = 0;
  private pending: Deferred[] = [];

  constructor(
    readonly db: Db,
    /** Keeps user IDs and IPs of different test files apart. */
    private readonly tag: number,
  ) {}

  readonly schedule: Scheduler = (task) => {
    this.pending.push(task);
  };

  client(locale = "nl"): Client {
    const n = ++this.clients;
    const ip = `10.${this.tag}.${Math.floor(n / 250)}.${(n % 250) + 1}`;
    return {
      ip,
      ctx: (now = t0) => ({
        context: { ip, userAgent: "vitest/recovery", locale, requestId: `vitest-${ip}` },
        now,
        schedule: this.schedule,
      }),
    };
  }

  /** Runs every delivery the service handed to the scheduler (as `after()` would, once the response is out). */
  async flush(): Promise<void> {
    while (this.pending.length) await this.pending.shift()!();
  }

  async newUser(opts: { lastName?: string; mobile?: string | null; locked?: boolean } = {}): Promise<TestUser> {
    const email = `Voornaam${this.tag}x${++this.users}.Achternaam@example.nl`;
    const added = await addUser(this.db, {
      email,
      firstName: "Voornaam",
      lastName: opts.lastName ?? "Jansen",
      phone: opts.mobile === undefined ? MOBILE : opts.mobile,
      password: PASSWORD,
    });
    if (!added.ok) throw new Error(JSON.stringify(added.problems));
    const [row] = await this.db.select({ id: users.id }).from(users).where(eq(users.email, email));
    if (opts.locked) await this.db.update(users).set({ lockedAt: t0, lockedUntil: null, failedSignIns: 5 }).where(eq(users.id, row!.id));
    return { id: row!.id, email };
  }

  /** A user ID nobody has. */
  unknownId(): string {
    return `niemand${this.tag}x${++this.users}.onbekend@example.nl`;
  }

  async start(typedId: string, client: Client, now = t0, intent: Intent | null = null): Promise<{ token: string; flowId: string }> {
    const started = await startRecovery(this.db, { typedId, intent, ...client.ctx(now) });
    if (started.kind !== "started") throw new Error(`start refused: ${JSON.stringify(started)}`);
    return { token: started.token, flowId: started.flowId };
  }

  /** The flow as a page or action would get it; fails the test if the flow is not on that step. */
  async guard(token: string, step: Step, client: Client, now = t0): Promise<Flow> {
    const g = await guardFlow(this.db, token, step, client.ctx(now));
    if (g.kind !== "ok") throw new Error(`expected step ${step}, guard said ${JSON.stringify(g)}`);
    return g.flow;
  }

  /** Start → intent → number, all at `now`; returns at the code step with the codes delivered so far. */
  async toCode(
    typedId: string,
    client: Client,
    opts: { intent?: Intent; typed?: string; channel?: Channel; now?: Date } = {},
  ): Promise<{ token: string; flowId: string; codes: string[] }> {
    const now = opts.now ?? t0;
    const { token, flowId } = await this.start(typedId, client, now);
    expect(await chooseIntent(this.db, await this.guard(token, "intent", client, now), opts.intent ?? "reset", client.ctx(now))).toEqual({
      kind: "moved",
      step: "verify",
    });
    const typed = opts.typed ?? MOBILE_NATIONAL;
    const verify = await this.guard(token, "verify", client, now);
    expect(await submitNumber(this.db, verify, { channel: opts.channel ?? "sms", typed, ...client.ctx(now) })).toEqual({
      kind: "moved",
      step: "code",
    });
    return { token, flowId, codes: await this.codes(flowId) };
  }

  async outbox(flowId: string) {
    await this.flush();
    return this.db.select().from(outboxMessages).where(eq(outboxMessages.flowId, flowId)).orderBy(asc(outboxMessages.id));
  }

  /** Every code delivered through the outbox for a flow, oldest first, read from the message text as the user would. */
  async codes(flowId: string): Promise<string[]> {
    // A real provider's rows only link its message id to the flow: they hold no text.
    const messages = (await this.outbox(flowId)).filter((m) => m.purpose === "code" && m.transport === "outbox");
    return messages.map((m) => {
      const sms = /\b(\d{6})\b/.exec(m.body);
      if (sms) return sms[1]!;
      const spoken = /\b(\d(?:, \d){5})\b/.exec(m.body);
      if (spoken) return spoken[1]!.replace(/, /g, "");
      throw new Error(`no code in message: ${m.body}`);
    });
  }

  async flowRow(flowId: string) {
    const [row] = await this.db.select().from(recoveryFlows).where(eq(recoveryFlows.id, flowId));
    return row!;
  }

  async user(id: string) {
    const [row] = await this.db.select().from(users).where(eq(users.id, id));
    return row!;
  }

  async history(userId: string) {
    return this.db.select().from(passwordHistory).where(eq(passwordHistory.userId, userId)).orderBy(asc(passwordHistory.id));
  }

  async audit(flowId: string) {
    return this.db.select().from(auditEvents).where(eq(auditEvents.flowId, flowId)).orderBy(asc(auditEvents.id));
  }

  async events(flowId: string): Promise<string[]> {
    return (await this.audit(flowId)).map((r) => r.event);
  }

  /** Audit rows with a given event, any flow, for a user or a typed-ID hash. */
  async auditWhere(where: { event: string; userId?: string; ip?: string }) {
    const rows = await this.db.select().from(auditEvents).where(eq(auditEvents.event, where.event)).orderBy(asc(auditEvents.id));
    return rows.filter((r) => (where.userId === undefined || r.userId === where.userId) && (where.ip === undefined || r.ip === where.ip));
  }

  /** Every audit row as Postgres prints it (all columns), for leak checks. */
  async auditAsText(): Promise<string[]> {
    const result = await this.db.execute<{ t: string }>(sql`select a::text as t from audit_events a order by id`);
    return rowsOf<{ t: string }>(result).map((r) => r.t);
  }
}

/** A six-digit code that is not `code`. */
export function wrongCode(code: string, salt = 1): string {
  return code
    .split("")
    .map((d, i) => (i === 0 ? String((Number(d) + salt) % 10) : d))
    .join("");
}
