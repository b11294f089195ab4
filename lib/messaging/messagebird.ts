// The MessageBird transport: SMS through the messages API, a spoken code through the voice-messages API (text to
// speech in the user's language); one request per send, a hard deadline, and provider errors mapped to our words.
import "server-only";
import { eq } from "drizzle-orm";
import { initClient, type MessageBird } from "messagebird";
import { getConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { outboxMessages } from "@/lib/db/schema";
import { maskMobile } from "@/lib/security/masking";
import { sendMessageBirdToStandIn } from "./messagebird-stand-in";
import type { OutgoingMessage, SendResult, Transport } from "./transport";

export type MessageBirdOptions = {
  accessKey: string;
  originator: string;
  timeoutMs: number;
  /** Where MessageBird posts status reports; only set when reports can be verified (a signing key is configured). */
  reportUrl?: string;
  /** Tests and offline work only: the local stand-in that answers for MessageBird's hosts. */
  standIn?: { url: string; caFile: string };
};

/** What the SDK hands to its callback on failure: MessageBird's `errors`, or the HTTP status of an unreadable answer. */
type SdkError = Error & { statusCode?: number; errors?: { code: number; description: string; parameter: string | null }[] };

/** MessageBird's error codes (developers.messagebird.com, "Errors") in the words the audit trail uses. */
const ERROR_CODES: Record<number, string> = {
  2: "unauthorized",
  9: "invalid-recipient",
  10: "invalid-parameter",
  20: "not-found",
  21: "bad-request",
  25: "no-balance",
  98: "api-not-found",
  99: "provider-error",
};

/** Maps an SDK failure to a SendResult; a missing or wrong recipient is always `invalid-recipient`. */
export function mapMessageBirdError(error: SdkError): Extract<SendResult, { ok: false }> {
  const first = error.errors?.[0];
  const httpStatus = error.statusCode ?? null;
  if (first) {
    const kind =
      first.parameter === "recipients" || first.parameter === "recipient"
        ? "invalid-recipient"
        : (ERROR_CODES[first.code] ?? "provider-error");
    return { ok: false, error: kind, providerCode: first.code, httpStatus };
  }
  if (httpStatus) return { ok: false, error: "provider-error", providerCode: null, httpStatus };
  return { ok: false, error: "network", providerCode: null, httpStatus: null };
}

/** A Dutch call for `nl`, a British English one for `en`. */
export const voiceLanguage = (locale: OutgoingMessage["locale"]) => (locale === "nl" ? "nl-nl" : "en-gb");

/** The number MessageBird expects: digits only, country code first. */
const msisdn = (e164: string) => e164.replace(/^\+/, "");

export function messagebirdTransport(options: MessageBirdOptions): Transport {
  if (options.standIn) sendMessageBirdToStandIn(options.standIn);
  // The SDK's own socket timeout is a little longer than our deadline, so it only cleans up after we have given up.
  const client = initClient(options.accessKey, options.timeoutMs + 1_000);
  return {
    name: "messagebird",
    async send(db: Db, m: OutgoingMessage): Promise<SendResult> {
      // The row exists before the request, so even an immediate status report finds its flow. No body: it may hold a code.
      const [row] = await db
        .insert(outboxMessages)
        .values({
          recipient: maskMobile(m.to) ?? "",
          channel: m.channel,
          locale: m.locale,
          body: "",
          purpose: m.purpose,
          flowId: m.flowId ?? null,
          transport: "messagebird",
          status: "sending",
        })
        .returning({ id: outboxMessages.id });
      const result = await withDeadline(options.timeoutMs, (done) => request(client, options, m, done));
      await db
        .update(outboxMessages)
        .set(result.ok ? { status: "sent", providerId: result.providerId } : { status: "failed", error: result.error })
        .where(eq(outboxMessages.id, row!.id));
      return result;
    },
  };
}

/** Exactly one HTTP request: the SDK never retries, and neither do we (a retry after a timeout could send twice). */
function request(client: MessageBird, options: MessageBirdOptions, m: OutgoingMessage, done: (r: SendResult) => void) {
  const reference = m.flowId ?? m.purpose;
  const callback = (error: Error | null, created: { id: string } | null) =>
    done(
      error
        ? mapMessageBirdError(error as SdkError)
        : created?.id
          ? { ok: true, providerId: created.id }
          : { ok: false, error: "provider-error" },
    );
  const report = options.reportUrl ? { reportUrl: options.reportUrl } : {};
  if (m.channel === "sms") {
    client.messages.create(
      { originator: options.originator, recipients: [msisdn(m.to)], body: m.body, reference, datacoding: "auto", ...report },
      callback,
    );
    return;
  }
  client.voice_messages.create(
    {
      recipients: [msisdn(m.to)],
      body: m.body,
      language: voiceLanguage(m.locale),
      voice: "female",
      // The whole message twice (it already says the code twice), in case the first words are missed.
      repeat: 2,
      // Never leave a code on voicemail, where someone else may listen to it.
      ifMachine: "hangup",
      reference,
      // A call's caller ID must be a number; a name as originator is for SMS only.
      ...(/^\+?\d+$/.test(options.originator) ? { originator: options.originator } : {}),
      ...report,
    },
    callback,
  );
}

function withDeadline(ms: number, run: (done: (r: SendResult) => void) => void): Promise<SendResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, error: "timeout", providerCode: null, httpStatus: null }), ms);
    try {
      run(finish);
    } catch {
      finish({ ok: false, error: "provider-error", providerCode: null, httpStatus: null });
    }
  });
}

let fromConfig: Transport | undefined;

/** The transport for SMS_PROVIDER=messagebird, built once from the configuration. */
export function messagebirdFromConfig(): Transport {
  if (fromConfig) return fromConfig;
  const config = getConfig();
  const mb = config.messagebird!;
  fromConfig = messagebirdTransport({
    accessKey: mb.accessKey,
    originator: mb.originator,
    timeoutMs: config.providerTimeoutMs,
    reportUrl: mb.signingKey ? `${config.baseUrl}/api/messagebird/reports` : undefined,
    standIn: mb.standIn,
  });
  return fromConfig;
}
