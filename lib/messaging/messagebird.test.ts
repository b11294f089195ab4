// The MessageBird transport with the real SDK against the local stand-in (started in-process), on both drivers:
// what MessageBird receives, exactly one request on every failure, errors mapped, and no code in any log.
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { outboxMessages } from "@/lib/db/schema";
import { startMessageBirdStandIn, type MessageBirdStandIn } from "@/e2e/stand-ins/messagebird";
import { drivers, freshDb } from "@/tests/db";
import { captureOutput } from "@/tests/capture-output";
import { mapMessageBirdError, messagebirdTransport, type MessageBirdOptions } from "./messagebird";
import { codeText } from "./texts";
import type { OutgoingMessage } from "./transport";

const CODE = "407193";
const sms: OutgoingMessage = {
  to: "+31612345656",
  channel: "sms",
  locale: "nl",
  body: codeText("nl", "sms", "Flynth", CODE, 10),
  purpose: "code",
  flowId: "0b8f5c1e-4a6d-4f7e-9a51-3c2d1e0f9a8b",
};
const voice: OutgoingMessage = { ...sms, channel: "voice", locale: "en", body: codeText("en", "voice", "Flynth", CODE, 10) };

describe("without a stand-in", () => {
  it("leaves Node's HTTPS agent alone (the redirect exists only when MESSAGEBIRD_STAND_IN is set)", () => {
    const before = https.globalAgent;
    messagebirdTransport({ accessKey: "live_x", originator: "Flynth", timeoutMs: 1_000 });
    expect(https.globalAgent).toBe(before);
  });
});

describe("mapMessageBirdError", () => {
  const sdkError = (fields: object) => Object.assign(new Error("api error(s)"), fields);
  it("names a wrong recipient whatever the code, and keeps MessageBird's code and HTTP status", () => {
    expect(
      mapMessageBirdError(
        sdkError({ statusCode: 422, errors: [{ code: 9, description: "no (correct) recipients found", parameter: "recipients" }] }),
      ),
    ).toEqual({
      ok: false,
      error: "invalid-recipient",
      providerCode: 9,
      httpStatus: 422,
    });
    expect(
      mapMessageBirdError(sdkError({ statusCode: 422, errors: [{ code: 21, description: "bad request", parameter: "recipient" }] })).error,
    ).toBe("invalid-recipient");
  });
  it("maps the documented codes and falls back to provider-error", () => {
    const code = (c: number) =>
      mapMessageBirdError(sdkError({ statusCode: 400, errors: [{ code: c, description: "x", parameter: null }] })).error;
    expect([code(2), code(25), code(99), code(12345)]).toEqual(["unauthorized", "no-balance", "provider-error", "provider-error"]);
  });
  it("reports an unreadable answer by its HTTP status, and a broken connection as network", () => {
    expect(mapMessageBirdError(sdkError({ statusCode: 502 }))).toEqual({
      ok: false,
      error: "provider-error",
      providerCode: null,
      httpStatus: 502,
    });
    expect(mapMessageBirdError(sdkError({}))).toEqual({ ok: false, error: "network", providerCode: null, httpStatus: null });
  });
});

describe.each(drivers())("MessageBird transport against the stand-in on %s", (driver) => {
  let handle: DbHandle;
  let standIn: MessageBirdStandIn;
  let options: MessageBirdOptions;
  beforeAll(async () => {
    handle = await freshDb(driver);
    standIn = await startMessageBirdStandIn({ port: 0, dir: path.join(os.tmpdir(), `toegang-mb-test-${process.pid}`), slowMs: 3_000 });
    options = {
      accessKey: "test_standin",
      originator: "Flynth",
      timeoutMs: 800,
      reportUrl: "https://toegang.example.nl/api/messagebird/reports",
      standIn,
    };
  });
  afterEach(() => standIn.reset());
  afterAll(async () => {
    await standIn?.close();
    await handle?.close();
  });

  it("sends an SMS through the messages API and links the provider's id to the flow without the text", async () => {
    const result = await messagebirdTransport(options).send(handle.db, sms);
    const [request] = standIn.requests();
    expect(standIn.requests()).toHaveLength(1);
    expect(request).toMatchObject({
      method: "POST",
      path: "/messages",
      body: { originator: "Flynth", recipients: "31612345656", body: sms.body, reference: sms.flowId, reportUrl: options.reportUrl },
    });
    expect(result).toEqual({ ok: true, providerId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const rows = await handle.db
      .select()
      .from(outboxMessages)
      .where(eq(outboxMessages.providerId, (result as { providerId: string }).providerId));
    expect(rows).toEqual([
      expect.objectContaining({
        recipient: "*****56",
        body: "",
        transport: "messagebird",
        status: "sent",
        flowId: sms.flowId,
        purpose: "code",
      }),
    ]);
  });

  it("calls through the voice-messages API in the user's language, digits spoken one by one, repeated, never to voicemail", async () => {
    const english = await messagebirdTransport(options).send(handle.db, voice);
    const dutch = await messagebirdTransport(options).send(handle.db, {
      ...voice,
      locale: "nl",
      body: codeText("nl", "voice", "Flynth", CODE, 10),
    });
    expect(english.ok && dutch.ok).toBe(true);
    const [en, nl] = standIn.requests();
    expect(en).toMatchObject({
      method: "POST",
      path: "/voicemessages",
      body: { recipients: "31612345656", language: "en-gb", voice: "female", repeat: 2, ifMachine: "hangup" },
    });
    expect((en!.body as { body: string }).body).toContain("4, 0, 7, 1, 9, 3");
    expect(nl).toMatchObject({ path: "/voicemessages", body: { language: "nl-nl" } });
    expect((nl!.body as { body: string }).body).toContain("4, 0, 7, 1, 9, 3");
    // An alphanumeric sender is for SMS only; a call would be refused with it.
    expect(en!.body).not.toHaveProperty("originator");
  });

  it.each([
    ["500", { ok: false, error: "provider-error", providerCode: 99, httpStatus: 500 }],
    ["invalid-recipient", { ok: false, error: "invalid-recipient", providerCode: 9, httpStatus: 422 }],
    ["slow", { ok: false, error: "timeout", providerCode: null, httpStatus: null }],
  ] as const)("on %s: exactly one request, the error mapped, the outbox row marked failed", async (mode, expected) => {
    standIn.setMode(mode);
    const result = await messagebirdTransport(options).send(handle.db, sms);
    expect(result).toEqual(expected);
    // Wait past the SDK's own socket timeout: nothing may try again behind our back.
    await new Promise((r) => setTimeout(r, options.timeoutMs + 1_500));
    expect(standIn.requests()).toHaveLength(1);
    const failed = await handle.db.select().from(outboxMessages).where(eq(outboxMessages.status, "failed"));
    expect(failed.at(-1)).toMatchObject({ error: expected.error, body: "", recipient: "*****56" });
  });

  it("never writes the code to any log, whether the send works or fails", async () => {
    const output = await captureOutput(async () => {
      for (const mode of ["ok", "500", "invalid-recipient"] as const) {
        standIn.setMode(mode);
        await messagebirdTransport(options).send(handle.db, sms);
        await messagebirdTransport(options).send(handle.db, voice);
      }
    });
    expect(standIn.requests()).toHaveLength(6);
    expect(output).not.toContain(CODE);
    expect(output).not.toContain("4, 0, 7, 1, 9, 3");
  });
});
