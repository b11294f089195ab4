// The notification queue on both drivers: bounded retries with backoff and every attempt audited, permanent refusals
// not retried, a message left by a restart sent by the worker, and code texts that do not outlive the code.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { auditEvents, messageQueue, outboxMessages } from "@/lib/db/schema";
import { drivers, freshDb } from "@/tests/db";
import { RETRY, deliverDueMessages, queueNotification, retryDelayMs, scrubMessages, startMessageWorker, stopMessageWorker } from "./queue";
import type { OutgoingMessage, SendResult, Transport } from "./transport";

/** A provider stand-in that answers from a script and records what it was asked to send. */
function scripted(answers: () => SendResult) {
  const sent: OutgoingMessage[] = [];
  const transport: Transport = {
    name: "scripted",
    send: async (_db, m) => {
      sent.push(m);
      return answers();
    },
  };
  return { transport, sent };
}

const FAIL_500: SendResult = { ok: false, error: "provider-error", providerCode: null, httpStatus: 500 };

describe("retry delays", () => {
  it("double from 30 s up to an hour, with ±20 % jitter", () => {
    expect([1, 2, 3, 8, 9, 12].map((n) => retryDelayMs(n, () => 0.5))).toEqual([30_000, 60_000, 120_000, 3_600_000, 3_600_000, 3_600_000]);
    expect(retryDelayMs(1, () => 0)).toBe(24_000);
    expect(retryDelayMs(1, () => 1)).toBe(36_000);
  });
});

describe.each(drivers())("notification queue on %s", (driver) => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await freshDb(driver);
  });
  afterAll(async () => {
    await handle?.close();
  });

  async function queue(now: Date, to = "+31612345656") {
    return handle.db.transaction((tx) =>
      queueNotification(
        tx,
        { kind: "reset", to, locale: "nl", body: "Uw wachtwoord is zojuist gewijzigd.", flowId: null, userId: null },
        { ip: null },
        now,
      ),
    );
  }
  const row = async (id: number) => (await handle.db.select().from(messageQueue).where(eq(messageQueue.id, id)))[0]!;

  it("tries at most RETRY.maxAttempts times with growing waits, audits each attempt, then gives up and clears the text", async () => {
    const t0 = new Date("2026-05-01T10:00:00Z");
    const id = await queue(t0);
    const { transport, sent } = scripted(() => FAIL_500);
    let now = t0;
    const waits: number[] = [];
    for (let n = 1; n <= RETRY.maxAttempts; n++) {
      expect(await deliverDueMessages(handle.db, { now, ids: [id], transport })).toMatchObject({ attempted: 1 });
      const r = await row(id);
      if (r.status !== "pending") break;
      waits.push(r.nextAttemptAt.getTime() - now.getTime());
      // Not before it is due.
      expect(await deliverDueMessages(handle.db, { now: new Date(r.nextAttemptAt.getTime() - 1), ids: [id], transport })).toMatchObject({
        attempted: 0,
      });
      now = r.nextAttemptAt;
    }
    expect(sent).toHaveLength(RETRY.maxAttempts);
    expect(waits).toHaveLength(RETRY.maxAttempts - 1);
    waits.forEach((w, i) => expect(w).toBeGreaterThanOrEqual(retryDelayMs(i + 1, () => 0)));
    waits.forEach((w, i) => expect(w).toBeLessThanOrEqual(retryDelayMs(i + 1, () => 1)));
    expect(await row(id)).toMatchObject({
      status: "abandoned",
      recipient: "",
      body: "",
      attempts: RETRY.maxAttempts,
      lastError: "provider-error",
    });
    const audit = await handle.db.select().from(auditEvents).where(eq(auditEvents.reason, "notification:sms"));
    const mine = audit.filter((a) => a.at >= t0);
    expect(mine.filter((a) => a.event === "message.failed").map((a) => a.details?.attempt)).toEqual(
      Array.from({ length: RETRY.maxAttempts }, (_, i) => i + 1),
    );
    expect(mine.filter((a) => a.event === "message.failed").at(-1)!.details).toMatchObject({ retryAt: null, httpStatus: 500 });
    expect(mine.filter((a) => a.event === "message.abandoned").map((a) => a.details)).toEqual([
      { kind: "reset", attempts: RETRY.maxAttempts, error: "provider-error" },
    ]);
    // Nothing more is ever sent.
    expect(await deliverDueMessages(handle.db, { now: new Date(now.getTime() + 86_400_000), ids: [id], transport })).toMatchObject({
      attempted: 0,
    });
  });

  it("does not retry a recipient the provider rejects, nor a number that is not a mobile one", async () => {
    const t0 = new Date("2026-05-02T10:00:00Z");
    const rejected = await queue(t0);
    const { transport, sent } = scripted(() => ({ ok: false, error: "invalid-recipient", providerCode: 9, httpStatus: 422 }));
    expect(await deliverDueMessages(handle.db, { now: t0, ids: [rejected], transport })).toEqual({
      attempted: 1,
      sent: 0,
      retrying: 0,
      abandoned: 1,
    });
    const landline = await queue(t0, "+31201234567");
    expect(await deliverDueMessages(handle.db, { now: t0, ids: [landline], transport })).toMatchObject({ abandoned: 1 });
    expect(sent).toHaveLength(1);
    expect(await row(landline)).toMatchObject({ status: "abandoned", lastError: "not-mobile" });
  });

  it("a message another instance is sending is left alone until its claim runs out", async () => {
    const t0 = new Date("2026-05-03T10:00:00Z");
    const id = await queue(t0);
    await handle.db
      .update(messageQueue)
      .set({ claimedUntil: new Date(t0.getTime() + 60_000) })
      .where(eq(messageQueue.id, id));
    const { transport, sent } = scripted(() => ({ ok: true, providerId: "p1" }));
    expect(await deliverDueMessages(handle.db, { now: t0, ids: [id], transport })).toMatchObject({ attempted: 0 });
    // The other instance died mid-send: once its claim is over, the message goes out (at least once, never lost).
    expect(await deliverDueMessages(handle.db, { now: new Date(t0.getTime() + 61_000), ids: [id], transport })).toMatchObject({ sent: 1 });
    expect(sent.map((m) => [m.to, m.purpose, m.body])).toEqual([["+31612345656", "notification", "Uw wachtwoord is zojuist gewijzigd."]]);
  });

  it("after a restart the worker sends what is still pending, at once", async () => {
    // Queued and committed, but the process ended before its first attempt.
    const id = await queue(new Date(Date.now() - 60_000));
    const { transport, sent } = scripted(() => ({ ok: true, providerId: "after-restart" }));
    startMessageWorker({ db: async () => handle.db, transport, intervalMs: 60_000 });
    try {
      await expect.poll(async () => (await row(id)).status, { timeout: 10_000 }).toBe("sent");
    } finally {
      await stopMessageWorker();
    }
    expect(sent.map((m) => m.body)).toContain("Uw wachtwoord is zojuist gewijzigd.");
    expect(await row(id)).toMatchObject({ attempts: 1, recipient: "", body: "" });
  });

  it("blanks the text of outbox code messages once the code has expired, and keeps a fresh one", async () => {
    const now = new Date();
    const old = new Date(now.getTime() - 11 * 60_000);
    const rows = await handle.db
      .insert(outboxMessages)
      .values([
        {
          recipient: "+31612345656",
          channel: "sms",
          locale: "nl",
          body: "code 123456",
          purpose: "code",
          transport: "outbox",
          createdAt: old,
        },
        {
          recipient: "+31612345656",
          channel: "sms",
          locale: "nl",
          body: "code 654321",
          purpose: "code",
          transport: "outbox",
          createdAt: now,
        },
        {
          recipient: "+31612345656",
          channel: "sms",
          locale: "nl",
          body: "gewijzigd",
          purpose: "notification",
          transport: "outbox",
          createdAt: old,
        },
      ])
      .returning({ id: outboxMessages.id });
    expect((await scrubMessages(handle.db, now)).codeTexts).toBeGreaterThanOrEqual(1);
    const bodies = await Promise.all(
      rows.map(
        async (r) =>
          (await handle.db.select({ body: outboxMessages.body }).from(outboxMessages).where(eq(outboxMessages.id, r.id)))[0]!.body,
      ),
    );
    expect(bodies).toEqual(["", "code 654321", "gewijzigd"]);
  });
});
