// Tests and offline work only: sends the MessageBird SDK's hard-coded hosts to a local stand-in and trusts its CA.
import "server-only";
import { readFileSync } from "node:fs";
import https from "node:https";
import type { Duplex } from "node:stream";
import type { ConnectionOptions } from "node:tls";

/** Every host the SDK may call (REST, voice, conversations); nothing else is redirected. */
const MESSAGEBIRD_HOSTS = new Set(["rest.messagebird.com", "voice.messagebird.com", "conversations.messagebird.com"]);

type Target = { host: string; port: number; ca: Buffer };

/**
 * The SDK calls https.request without an agent, so it uses https.globalAgent and port 443. This agent connects those
 * hosts to the stand-in instead, still checking the certificate against the MessageBird host name (SNI), with the
 * stand-in's CA trusted for these connections only; every other host connects as before.
 */
class StandInAgent extends https.Agent {
  constructor(private readonly target: Target) {
    super({ keepAlive: false });
  }

  createConnection(options: ConnectionOptions & { host?: string; hostname?: string }, callback?: unknown): Duplex {
    const host = options.host ?? options.hostname ?? "";
    const redirected = MESSAGEBIRD_HOSTS.has(host)
      ? { ...options, host: this.target.host, hostname: this.target.host, port: this.target.port, servername: host, ca: this.target.ca }
      : options;
    const create = (https.Agent.prototype as unknown as { createConnection: (o: unknown, cb?: unknown) => Duplex }).createConnection;
    return create.call(this, redirected, callback);
  }
}

let installed: string | null = null;

/** Installs the redirecting agent once per process; called only when MESSAGEBIRD_STAND_IN is configured. */
export function sendMessageBirdToStandIn(standIn: { url: string; caFile: string }): void {
  if (installed === standIn.url) return;
  const url = new URL(standIn.url);
  if (url.protocol !== "https:") throw new Error("MESSAGEBIRD_STAND_IN must be an https:// URL");
  const target = { host: url.hostname, port: Number(url.port || 443), ca: readFileSync(standIn.caFile) };
  (https as { globalAgent: https.Agent }).globalAgent = new StandInAgent(target);
  installed = standIn.url;
}
