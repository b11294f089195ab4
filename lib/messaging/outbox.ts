// The embedded transport: messages land in the outbox table, readable at /dev/outbox while this transport is active.
import "server-only";
import { desc, eq } from "drizzle-orm";
import type { AppConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { outboxMessages } from "@/lib/db/schema";
import type { OutgoingMessage, SendResult, Transport } from "./transport";

export const outboxTransport: Transport = {
  name: "outbox",
  async send(db: Db, m: OutgoingMessage): Promise<SendResult> {
    const [row] = await db
      .insert(outboxMessages)
      .values({
        recipient: m.to,
        channel: m.channel,
        locale: m.locale,
        body: m.body,
        purpose: m.purpose,
        flowId: m.flowId ?? null,
        transport: "outbox",
        status: "delivered",
      })
      .returning({ id: outboxMessages.id });
    return { ok: true, providerId: `outbox-${row!.id}` };
  },
};

/**
 * The outbox page exists only with the outbox transport, and answers only requests from this machine
 * (fromThisMachine in lib/security/request-context.ts: the TCP peer, never a forged or forwarded X-Forwarded-For).
 */
export function outboxPageAllowed(config: Pick<AppConfig, "smsProvider" | "outboxPage">, fromThisMachine: boolean): boolean {
  return config.smsProvider === "outbox" && config.outboxPage !== "off" && fromThisMachine;
}

export type OutboxEntry = {
  id: number;
  createdAt: Date;
  recipient: string;
  channel: string;
  locale: string;
  purpose: string;
  body: string;
};

/** Newest first, for the development outbox page (a real provider's rows hold no text and are left out). */
export async function listOutbox(db: Db, limit = 50): Promise<OutboxEntry[]> {
  return db
    .select({
      id: outboxMessages.id,
      createdAt: outboxMessages.createdAt,
      recipient: outboxMessages.recipient,
      channel: outboxMessages.channel,
      locale: outboxMessages.locale,
      purpose: outboxMessages.purpose,
      body: outboxMessages.body,
    })
    .from(outboxMessages)
    .where(eq(outboxMessages.transport, "outbox"))
    .orderBy(desc(outboxMessages.id))
    .limit(limit);
}
