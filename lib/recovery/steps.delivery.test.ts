// The wizard with SMS_PROVIDER=messagebird against the local stand-in (real SDK), on both drivers: a provider error or
// timeout tells the user "no code could be sent" exactly as it would tell someone whose number did not match, with
// one request, an audit event carrying MessageBird's code, and a way on at once; the spend breaker pauses sending.
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { and, eq } from "drizzle-orm";
import { messageQueue, rateLimits } from "@/lib/db/schema";
import { deliverDueMessages } from "@/lib/messaging/queue";
import { startMessageBirdStandIn, type MessageBirdStandIn } from "@/e2e/stand-ins/messagebird";
import { captureOutput } from "@/tests/capture-output";
import { drivers, freshDb } from "@/tests/db";
import type { Flow } from "./flow-store";
import { codePageInfo } from "./page-info";
import { changeMethod, resendCode, submitNumber, verifyCode } from "./steps";
import { Harness, MOBILE_NATIONAL, OTHER_MOBILE, type Client } from "./steps.test-helper";

const TIMEOUT_MS = 800;
let standIn: MessageBirdStandIn;

beforeAll(async () => {
  standIn = await startMessageBirdStandIn({ port: 0, dir: path.join(os.tmpdir(), `toegang-mb-delivery-${process.pid}`), slowMs: 3_000 });
  // Read once by getConfig(), which nothing has called yet in this test process.
  Object.assign(process.env, {
    SMS_PROVIDER: "messagebird",
    MESSAGEBIRD_ACCESS_KEY: "test_standin",
    MESSAGEBIRD_ORIGINATOR: "Flynth",
    MESSAGEBIRD_STAND_IN: standIn.url,
    MESSAGEBIRD_STAND_IN_CA: standIn.caFile,
    PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS),
  });
});
afterAll(async () => {
  await standIn?.close();
});

/** Codes MessageBird was asked to deliver for a flow, read from the SMS text or the call's digits. */
function sentCodes(flowId: string): string[] {
  return standIn
    .requests()
    .map((r) => r.body as { reference?: string; body?: string })
    .filter((b) => b.reference === flowId)
    .map((b) => /\b(\d{6})\b/.exec(b.body ?? "")?.[1] ?? /\b(\d(?:, \d){5})\b/.exec(b.body ?? "")?.[1]?.replace(/, /g, "") ?? "");
}

/** What the code page shows, minus the masked digits (which differ per account by design). */
async function page(h: Harness, flow: Flow, now: Date) {
  const { masked: _masked, ...shown } = await codePageInfo(h.db, flow, now);
  return shown;
}

describe.each(drivers())("delivery through MessageBird on %s", (driver) => {
  let handle: DbHandle;
  let h: Harness;
  // Every test runs at its own hour, so flows, cooldowns and provider health of one test never meet another's.
  let hour = 0;
  const clock = () => {
    const base = new Date(Date.UTC(2026, 2, 2, 6 + hour++));
    return (seconds: number) => new Date(base.getTime() + seconds * 1000);
  };
  beforeAll(async () => {
    handle = await freshDb(driver);
    h = new Harness(handle.db, 7);
  });
  afterEach(() => standIn.reset());
  afterAll(async () => {
    await handle?.close();
  });

  /** A user with the right number and an unknown ID with a wrong one, both at the code step at the same moment. */
  async function pair(at: (s: number) => Date, channel: "sms" | "voice" = "sms") {
    const c: Client = h.client();
    const d: Client = h.client();
    const u = await h.newUser();
    const right = await h.toCode(u.email, c, { now: at(0), channel });
    const wrong = await h.toCode(h.unknownId(), d, { now: at(0), channel, typed: OTHER_MOBILE });
    return { c, d, right, wrong };
  }

  it("MessageBird 500: one request, the audit names MessageBird's code, and both flows say no code could be sent", async () => {
    const at = clock();
    standIn.setMode("500");
    const { c, d, right, wrong } = await pair(at);
    expect(standIn.requests()).toHaveLength(1);
    expect(await h.flowRow(right.flowId)).toMatchObject({ deliveryStatus: "failed" });
    const failed = (await h.audit(right.flowId)).filter((r) => r.event === "message.failed");
    expect(failed.map((r) => [r.outcome, r.reason, r.details])).toEqual([
      ["failure", "code:sms", { transport: "messagebird", error: "provider-error", providerCode: 99, httpStatus: 500 }],
    ]);

    const rightPage = await page(h, await h.guard(right.token, "code", c, at(1)), at(1));
    const wrongPage = await page(h, await h.guard(wrong.token, "code", d, at(1)), at(1));
    expect(rightPage).toMatchObject({ notice: "failed", cooldownSeconds: 0, watchSeconds: 0 });
    expect(wrongPage).toEqual(rightPage);
  });

  it("after a failure: 'Opnieuw proberen' sends again at once (one more request), and the notice goes once it worked", async () => {
    const at = clock();
    standIn.setMode("500");
    const { c, d, right, wrong } = await pair(at);
    standIn.setMode("ok");
    expect(await resendCode(h.db, await h.guard(right.token, "code", c, at(2)), c.ctx(at(2)))).toEqual({
      kind: "moved",
      step: "code",
    });
    expect(await resendCode(h.db, await h.guard(wrong.token, "code", d, at(2)), d.ctx(at(2)))).toEqual({
      kind: "moved",
      step: "code",
    });
    await h.flush();
    expect(standIn.requests()).toHaveLength(2);
    // The stand-in also recorded the first, failed request; only the newest code counts.
    const code = sentCodes(right.flowId).at(-1);
    expect(code).toMatch(/^\d{6}$/);
    const rightPage = await page(h, await h.guard(right.token, "code", c, at(12)), at(12));
    expect(rightPage).toMatchObject({ notice: null, cooldownSeconds: 50, sendsLeft: 1 });
    expect(await page(h, await h.guard(wrong.token, "code", d, at(12)), at(12))).toEqual(rightPage);
    expect(await verifyCode(h.db, await h.guard(right.token, "code", c, at(13)), code!, c.ctx(at(13)))).toEqual({
      kind: "moved",
      step: "password",
    });
  });

  it("after a failure: the other method (a call) can be chosen and sent at once", async () => {
    const at = clock();
    standIn.setMode("500");
    const { c, right } = await pair(at);
    standIn.setMode("ok");
    expect(await changeMethod(h.db, await h.guard(right.token, "code", c, at(3)), c.ctx(at(3)))).toEqual({
      kind: "moved",
      step: "verify",
    });
    const verify = await h.guard(right.token, "verify", c, at(4));
    expect(await submitNumber(h.db, verify, { channel: "voice", typed: MOBILE_NATIONAL, ...c.ctx(at(4)) })).toEqual({
      kind: "moved",
      step: "code",
    });
    await h.flush();
    expect(standIn.requests().map((r) => r.path)).toEqual(["/messages", "/voicemessages"]);
    expect(await h.flowRow(right.flowId)).toMatchObject({ deliveryStatus: "sent", channel: "voice", sends: 2 });
  });

  it("a timeout: one request, audited as timeout, and a flow that sent nothing shows it only as late as a real timeout would", async () => {
    const at = clock();
    standIn.setMode("slow");
    const { c, d, right, wrong } = await pair(at);
    expect(standIn.requests()).toHaveLength(1);
    const failed = (await h.audit(right.flowId)).find((r) => r.event === "message.failed");
    expect(failed?.details).toEqual({ transport: "messagebird", error: "timeout", providerCode: null, httpStatus: null });
    expect(await page(h, await h.guard(wrong.token, "code", d, at(TIMEOUT_MS / 2_000)), at(TIMEOUT_MS / 2_000))).toMatchObject({
      notice: null,
    });
    const rightPage = await page(h, await h.guard(right.token, "code", c, at(2)), at(2));
    expect(rightPage).toMatchObject({ notice: "failed" });
    expect(await page(h, await h.guard(wrong.token, "code", d, at(2)), at(2))).toEqual(rightPage);
    // The SDK gives up on its own shortly after our deadline; it never tries again.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(standIn.requests()).toHaveLength(1);
  });

  it("an invalid recipient: audited with MessageBird's code 9, and the user sees the same clear message", async () => {
    const at = clock();
    standIn.setMode("invalid-recipient");
    const { c, right } = await pair(at, "voice");
    expect(standIn.requests().map((r) => r.path)).toEqual(["/voicemessages"]);
    const failed = (await h.audit(right.flowId)).find((r) => r.event === "message.failed");
    expect(failed).toMatchObject({ reason: "code:voice", details: { error: "invalid-recipient", providerCode: 9, httpStatus: 422 } });
    expect(await page(h, await h.guard(right.token, "code", c, at(1)), at(1))).toMatchObject({ notice: "failed" });
  });

  it("once a send works again, a flow that sent nothing no longer shows a failure", async () => {
    const at = clock();
    standIn.setMode("500");
    await pair(at);
    standIn.setMode("ok");
    const { d, right, wrong } = await pair((s) => at(s + 30));
    expect(await h.flowRow(right.flowId)).toMatchObject({ deliveryStatus: "sent" });
    expect(await page(h, await h.guard(wrong.token, "code", d, at(40)), at(40))).toMatchObject({ notice: null });
  });

  it("a failed notification after an unlock is only audited; the flow is done", async () => {
    const at = clock();
    const c = h.client();
    const u = await h.newUser({ locked: true });
    const { token, flowId } = await h.toCode(u.email, c, { now: at(0), intent: "unlock" });
    const [code] = sentCodes(flowId);
    standIn.setMode("500");
    expect(await verifyCode(h.db, await h.guard(token, "code", c, at(5)), code!, c.ctx(at(5)))).toEqual({
      kind: "moved",
      step: "done",
    });
    await h.flush();
    const failed = (await h.audit(flowId)).filter((r) => r.event === "message.failed");
    expect(failed.map((r) => r.reason)).toEqual(["notification:sms"]);
    expect(await h.flowRow(flowId)).toMatchObject({ step: "done", deliveryStatus: "sent" });
  });

  it("a notification whose send fails (MessageBird 500) is sent again after the backoff once MessageBird recovers", async () => {
    const at = clock();
    const c = h.client();
    const u = await h.newUser({ locked: true });
    const { token, flowId } = await h.toCode(u.email, c, { now: at(0), intent: "unlock" });
    const [code] = sentCodes(flowId);
    standIn.setMode("500");
    await verifyCode(h.db, await h.guard(token, "code", c, at(5)), code!, c.ctx(at(5)));
    await h.flush();
    const notifications = () => standIn.requests().filter((r) => (r.body as { body?: string }).body?.includes("ontgrendeld"));
    expect(notifications()).toHaveLength(1);
    const [queued] = await h.db
      .select()
      .from(messageQueue)
      .where(and(eq(messageQueue.flowId, flowId), eq(messageQueue.kind, "unlock")));
    expect(queued).toMatchObject({ status: "pending", attempts: 1, lastError: "provider-error" });
    const retryAt = queued!.nextAttemptAt.getTime() - at(5).getTime();
    // The first retry waits 30 s ± 20 %; nothing is sent before it is due.
    expect(retryAt).toBeGreaterThanOrEqual(24_000);
    expect(retryAt).toBeLessThanOrEqual(36_000);
    expect(await deliverDueMessages(h.db, { now: at(20), ids: [queued!.id] })).toMatchObject({ attempted: 0 });

    standIn.setMode("ok");
    expect(await deliverDueMessages(h.db, { now: at(45), ids: [queued!.id] })).toEqual({
      attempted: 1,
      sent: 1,
      retrying: 0,
      abandoned: 0,
    });
    expect(notifications()).toHaveLength(2);
    expect(String((notifications()[1]!.body as { recipients: unknown }).recipients)).toBe("31612345656");
    const attempts = (await h.audit(flowId)).filter((r) => r.event.startsWith("message.") && r.reason === "notification:sms");
    expect(attempts.map((r) => [r.event, r.details?.attempt ?? null])).toEqual([
      ["message.queued", null],
      ["message.failed", 1],
      ["message.handed_over", 2],
    ]);
    expect(attempts[1]!.details).toMatchObject({ httpStatus: 500, retryAt: queued!.nextAttemptAt.toISOString() });
    // Sent: the number and the text are gone from the queue; a later run sends nothing twice.
    const [done] = await h.db
      .select()
      .from(messageQueue)
      .where(and(eq(messageQueue.flowId, flowId), eq(messageQueue.kind, "unlock")));
    expect(done).toMatchObject({ status: "sent", recipient: "", body: "", attempts: 2 });
    expect(await deliverDueMessages(h.db, { now: at(4000), ids: [queued!.id] })).toMatchObject({ attempted: 0 });
  });

  it("no code reaches any log or the audit trail, whether sending works or fails", async () => {
    const at = clock();
    let flows: string[] = [];
    const output = await captureOutput(async () => {
      standIn.setMode("ok");
      const ok = await pair(at);
      standIn.setMode("500");
      const failing = await pair((s) => at(s + 60));
      flows = [ok.right.flowId, failing.right.flowId];
    });
    const codes = flows.flatMap(sentCodes);
    expect(codes).toHaveLength(2);
    const audit = (await h.auditAsText()).join("\n");
    for (const code of codes) {
      expect(output).not.toContain(code);
      expect(audit).not.toContain(code);
    }
  });

  describe("the spend breaker", () => {
    let own: DbHandle;
    let b: Harness;
    beforeAll(async () => {
      own = await freshDb(driver);
      b = new Harness(own.db, 8);
    });
    afterAll(async () => {
      await own?.close();
    });

    it("at the hourly cap, nothing is sent; both flows say sending is paused; administrators see it once", async () => {
      const at = clock();
      // The default cap (500 an hour) is already used up in this hour: the next message trips the breaker.
      await own.db.insert(rateLimits).values({ key: "sms-cap:hour:all", count: 500, windowStart: at(0), expiresAt: at(3_600) });
      const c = b.client();
      const d = b.client();
      const right = await b.toCode((await b.newUser()).email, c, { now: at(1) });
      const wrong = await b.toCode(b.unknownId(), d, { now: at(1), typed: OTHER_MOBILE });
      const again = await b.toCode((await b.newUser()).email, b.client(), { now: at(2) });
      expect(standIn.requests()).toEqual([]);
      expect(await b.flowRow(right.flowId)).toMatchObject({ deliveryStatus: "paused" });
      expect((await b.audit(right.flowId)).find((r) => r.event === "message.refused")).toMatchObject({
        outcome: "refused",
        details: { rule: "breaker" },
      });
      expect(await b.auditWhere({ event: "sms.breaker_tripped" })).toEqual([
        expect.objectContaining({ reason: "cap-per-hour", details: { cap: 500, until: at(3_600).toISOString() } }),
      ]);
      const rightPage = await page(b, await b.guard(right.token, "code", c, at(3)), at(3));
      expect(rightPage).toMatchObject({ notice: "paused", watchSeconds: 0 });
      expect(await page(b, await b.guard(wrong.token, "code", d, at(3)), at(3))).toEqual(rightPage);
      expect(await b.flowRow(again.flowId)).toMatchObject({ deliveryStatus: "paused" });
    });
  });
});
