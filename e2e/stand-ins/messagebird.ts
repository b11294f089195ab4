// A local MessageBird REST API over HTTPS for tests and offline work: the real SDK's requests are accepted, recorded and
// answered like MessageBird would; control endpoints switch failure modes and send signed delivery reports.
import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { makeTestCertificates } from "@/tests/tls-certificates";

/** The host names the SDK talks to; the certificate names them all, so the SDK's TLS check passes. */
export const MESSAGEBIRD_HOSTS = ["rest.messagebird.com", "voice.messagebird.com", "conversations.messagebird.com"] as const;

export type StandInMode = "ok" | "500" | "slow" | "invalid-recipient";
const MODES: readonly StandInMode[] = ["ok", "500", "slow", "invalid-recipient"];

export type RecordedRequest = { method: string; path: string; body: unknown; at: string };

export type ReportRequest = {
  /** The portal's report URL (its BASE_URL + /api/messagebird/reports). */
  to: string;
  id: string;
  status: "delivered" | "delivery_failed" | "sent" | "buffered" | "expired";
  reason?: string;
  /** Tests of the portal's refusals: a wrong key, an expired token, or no signature header at all. */
  signature?: "good" | "bad" | "stale" | "none";
};

export type MessageBirdStandIn = {
  url: string;
  caFile: string;
  close(): Promise<void>;
  /** The same as the control endpoints, for tests that start the stand-in in-process. */
  requests(): RecordedRequest[];
  setMode(mode: StandInMode): void;
  reset(): void;
  sendReport(report: ReportRequest): Promise<{ status: number; body: string }>;
};

export type StandInOptions = {
  port: number;
  /** Where the generated CA and certificate are written (created if missing). */
  dir: string;
  host?: string;
  /** Signs delivery reports; defaults to MESSAGEBIRD_SIGNING_KEY from the environment. */
  signingKey?: string;
  /** How long "slow" mode holds a response (longer than the portal's timeout). */
  slowMs?: number;
};

// ---------------------------------------------------------------------------------------------------------------
// Certificates: a throwaway CA and a leaf for MessageBird's host names, made at every start.

function makeCertificates(dir: string) {
  const altNames = [...MESSAGEBIRD_HOSTS.map((h) => `DNS:${h}`), "DNS:localhost", "IP:127.0.0.1"];
  return makeTestCertificates(dir, { ca: "Toegang MessageBird stand-in CA", commonName: "rest.messagebird.com", altNames });
}

// ---------------------------------------------------------------------------------------------------------------
// Replies shaped like MessageBird's.

const ERRORS = {
  unauthorized: { status: 401, errors: [{ code: 2, description: "Request not allowed (incorrect access_key)", parameter: "access_key" }] },
  internal: { status: 500, errors: [{ code: 99, description: "Internal error", parameter: null }] },
  invalidRecipient: { status: 422, errors: [{ code: 9, description: "no (correct) recipients found", parameter: "recipients" }] },
  notFound: { status: 404, errors: [{ code: 20, description: "message not found", parameter: null }] },
} as const;

const recipientList = (value: unknown): string[] =>
  String(value ?? "")
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);

function createdMessage(kind: "sms" | "voice", id: string, body: Record<string, unknown>, now: string) {
  const items = recipientList(body.recipients).map((r) => ({
    recipient: Number(r.replace(/^\+/, "")),
    status: kind === "sms" ? "sent" : "calling",
    statusDatetime: now,
  }));
  const recipients = { totalCount: items.length, totalSentCount: items.length, totalDeliveredCount: 0, totalDeliveryFailedCount: 0, items };
  if (kind === "voice") {
    return {
      id,
      href: `https://rest.messagebird.com/voicemessages/${id}`,
      originator: body.originator ?? null,
      body: body.body,
      reference: body.reference ?? null,
      language: body.language ?? "en-gb",
      voice: body.voice ?? "female",
      repeat: body.repeat ?? 1,
      ifMachine: body.ifMachine ?? "delay",
      machineTimeout: body.machineTimeout ?? 7000,
      scheduledDatetime: null,
      createdDatetime: now,
      recipients,
    };
  }
  return {
    id,
    href: `https://rest.messagebird.com/messages/${id}`,
    direction: "mt",
    type: "sms",
    originator: body.originator,
    body: body.body,
    reference: body.reference ?? null,
    validity: body.validity ?? null,
    gateway: 10,
    typeDetails: {},
    datacoding: "plain",
    mclass: 1,
    scheduledDatetime: null,
    createdDatetime: now,
    recipients,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Delivery reports, signed as MessageBird signs them: an HS256 JWT over the URL's and the payload's SHA-256.

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

export function signWebhook(key: string, url: string, payload: Buffer | null, now = Date.now(), ttlSeconds = 300): string {
  const iat = Math.floor(now / 1000);
  const claims: Record<string, unknown> = {
    iss: "MessageBird",
    iat,
    nbf: iat,
    exp: iat + ttlSeconds,
    jti: randomUUID(),
    url_hash: createHash("sha256").update(url).digest("hex"),
  };
  if (payload && payload.length) claims.payload_hash = createHash("sha256").update(payload).digest("hex");
  const head = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}`;
  return `${head}.${createHmac("sha256", key).update(head).digest("base64url")}`;
}

type SentMessage = { kind: "sms" | "voice"; recipient: string };

async function deliverReport(report: ReportRequest, sent: Map<string, SentMessage>, signingKey: string | undefined) {
  const message = sent.get(report.id);
  const url = new URL(report.to);
  const now = new Date();
  // SMS status reports come as a GET with the fields in the query string.
  url.searchParams.set("id", report.id);
  url.searchParams.set("reference", "toegang");
  url.searchParams.set("recipient", (message?.recipient ?? "31600000000").replace(/^\+/, ""));
  url.searchParams.set("status", report.status);
  url.searchParams.set("statusDatetime", now.toISOString().replace(/\.\d{3}Z$/, "+00:00"));
  if (report.reason) url.searchParams.set("statusReason", report.reason);
  if (report.status === "delivery_failed") url.searchParams.set("statusErrorCode", "1");
  const signature = report.signature ?? "good";
  const headers: Record<string, string> = {};
  if (signature !== "none") {
    if (!signingKey) throw new Error("no signing key: pass signingKey or set MESSAGEBIRD_SIGNING_KEY");
    const key = signature === "bad" ? `${signingKey}-wrong` : signingKey;
    const at = signature === "stale" ? now.getTime() - 3_600_000 : now.getTime();
    headers["MessageBird-Signature-JWT"] = signWebhook(key, url.toString(), null, at);
  }
  const response = await fetch(url, { method: "GET", headers, redirect: "manual" });
  return { status: response.status, body: await response.text() };
}

// ---------------------------------------------------------------------------------------------------------------

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

const parseJson = (raw: Buffer): unknown => {
  const text = raw.toString("utf8");
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

export async function startMessageBirdStandIn(options: StandInOptions): Promise<MessageBirdStandIn> {
  const host = options.host ?? "127.0.0.1";
  const signingKey = options.signingKey ?? process.env.MESSAGEBIRD_SIGNING_KEY;
  const slowMs = options.slowMs ?? 30_000;
  const dir = path.resolve(options.dir);
  const { caFile, keyFile, certFile } = makeCertificates(dir);

  let mode: StandInMode = "ok";
  // A mode for one recipient only: tests that run side by side, each with its own numbers, keep their own MessageBird.
  const recipientModes = new Map<string, StandInMode>();
  let recorded: RecordedRequest[] = [];
  const sent = new Map<string, SentMessage>();
  const held = new Set<NodeJS.Timeout>();

  const api = async (req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer, pathname: string) => {
    const body = parseJson(raw);
    recorded.push({ method: req.method ?? "GET", path: pathname, body, at: new Date().toISOString() });
    if (!/^AccessKey \S+$/.test(req.headers.authorization ?? ""))
      return send(res, ERRORS.unauthorized.status, { errors: ERRORS.unauthorized.errors });
    const kind = pathname === "/messages" ? "sms" : pathname === "/voicemessages" ? "voice" : null;
    if (req.method !== "POST" || !kind) return send(res, ERRORS.notFound.status, { errors: ERRORS.notFound.errors });
    const fields = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
    const answerMode = recipientModes.get(recipientList(fields.recipients)[0] ?? "") ?? mode;
    if (answerMode === "500") return send(res, ERRORS.internal.status, { errors: ERRORS.internal.errors });
    if (answerMode === "invalid-recipient") return send(res, ERRORS.invalidRecipient.status, { errors: ERRORS.invalidRecipient.errors });
    const id = randomBytes(16).toString("hex");
    const reply = () => {
      sent.set(id, { kind, recipient: recipientList(fields.recipients)[0] ?? "" });
      send(res, 201, createdMessage(kind, id, fields, new Date().toISOString().replace(/\.\d{3}Z$/, "+00:00")));
    };
    if (answerMode !== "slow") return reply();
    // Slow: the answer comes long after the client has given up (if the socket is still there at all).
    const timer = setTimeout(() => {
      held.delete(timer);
      reply();
    }, slowMs);
    held.add(timer);
  };

  const control = async (req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer, pathname: string) => {
    const what = `${req.method} ${pathname}`;
    if (what === "GET /__control/health") return send(res, 200, { ok: true, mode });
    if (what === "GET /__control/requests") return send(res, 200, recorded);
    const input = parseJson(raw) as Record<string, unknown> | null;
    // {"recipient": "316…"} (as in the API's recipients): the mode and the reset for that number only.
    const recipient = typeof input?.recipient === "string" && input.recipient ? input.recipient.replace(/^\+/, "") : null;
    if (what === "POST /__control/reset") {
      if (recipient) {
        recipientModes.delete(recipient);
        recorded = recorded.filter((r) => !recipientList((r.body as Record<string, unknown> | null)?.recipients).includes(recipient));
      } else {
        mode = "ok";
        recipientModes.clear();
        recorded = [];
      }
      return send(res, 200, { ok: true });
    }
    if (what === "POST /__control/mode") {
      if (!MODES.includes(input?.mode as StandInMode)) return send(res, 400, { error: `mode must be one of ${MODES.join(", ")}` });
      if (recipient) recipientModes.set(recipient, input!.mode as StandInMode);
      else mode = input!.mode as StandInMode;
      return send(res, 200, { ok: true, mode: input!.mode, recipient });
    }
    if (what === "POST /__control/report") {
      if (typeof input?.to !== "string" || typeof input.id !== "string" || typeof input.status !== "string") {
        return send(res, 400, { error: "to, id and status are required" });
      }
      try {
        return send(res, 200, await deliverReport(input as unknown as ReportRequest, sent, signingKey));
      } catch (error) {
        return send(res, 502, { error: error instanceof Error ? error.message : String(error) });
      }
    }
    return send(res, 404, { error: "unknown control endpoint" });
  };

  const server = https.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
    const pathname = new URL(req.url ?? "/", "https://stand-in").pathname;
    readBody(req)
      .then((raw) => (pathname.startsWith("/__control/") ? control(req, res, raw, pathname) : api(req, res, raw, pathname)))
      .catch((error: unknown) => send(res, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `https://${host}:${port}`,
    caFile,
    requests: () => recorded.map((r) => ({ ...r })),
    setMode: (m) => {
      mode = m;
    },
    reset: () => {
      mode = "ok";
      recipientModes.clear();
      recorded = [];
    },
    sendReport: (report) => deliverReport(report, sent, signingKey),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of held) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
