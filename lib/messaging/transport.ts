// One interface for delivering a text by SMS or a spoken call; the configured transport is the only one used.
import "server-only";
import type { Db } from "@/lib/db/client";
import { getConfig } from "@/lib/config";
import { outboxTransport } from "./outbox";

export type Channel = "sms" | "voice";
export type Purpose = "code" | "notification";

export type OutgoingMessage = { to: string; channel: Channel; locale: "nl" | "en"; body: string; purpose: Purpose; flowId?: string | null };
export type SendResult = { ok: true; providerId: string | null } | { ok: false; error: string };

export interface Transport {
  readonly name: string;
  send(db: Db, message: OutgoingMessage): Promise<SendResult>;
}

export function getTransport(): Transport {
  switch (getConfig().smsProvider) {
    case "outbox":
      return outboxTransport;
    case "messagebird":
      throw new Error("The MessageBird transport is not built yet");
  }
}
