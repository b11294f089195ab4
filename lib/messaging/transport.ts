// One interface for delivering a text by SMS or a spoken call; the configured transport is the only one used.
import "server-only";
import type { Db } from "@/lib/db/client";
import { getConfig } from "@/lib/config";
import { messagebirdFromConfig } from "./messagebird";
import { outboxTransport } from "./outbox";

export type Channel = "sms" | "voice";
export type Purpose = "code" | "notification";

export type OutgoingMessage = { to: string; channel: Channel; locale: "nl" | "en"; body: string; purpose: Purpose; flowId?: string | null };

/** A stored message (a message_queue row: a notification or a code) as the transport takes it. */
export function outgoingOf(
  row: { recipient: string; channel: string; locale: string; body: string; flowId: string | null },
  purpose: Purpose,
): OutgoingMessage {
  return {
    to: row.recipient,
    channel: row.channel === "voice" ? "voice" : "sms",
    locale: row.locale === "en" ? "en" : "nl",
    body: row.body,
    purpose,
    flowId: row.flowId,
  };
}
/**
 * A failed send names what went wrong in our words (`timeout`, `invalid-recipient`, `provider-error` …) and, when the
 * provider answered, its own error code and HTTP status, for the audit trail; never the message text.
 */
export type SendResult =
  { ok: true; providerId: string | null } | { ok: false; error: string; providerCode?: number | null; httpStatus?: number | null };

export interface Transport {
  readonly name: string;
  send(db: Db, message: OutgoingMessage): Promise<SendResult>;
}

export function getTransport(): Transport {
  switch (getConfig().smsProvider) {
    case "outbox":
      return outboxTransport;
    case "messagebird":
      return messagebirdFromConfig();
  }
}
