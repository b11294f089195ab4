import { describe, expect, it } from "vitest";
import { messageEventsAllowed } from "./message-events";

describe("messageEventsAllowed", () => {
  const testMode = { captchaTestAnswer: "AdE4rT", smsProvider: "outbox", messagebird: undefined } as const;
  it("answers only a portal in test mode, and only requests from this machine", () => {
    expect(messageEventsAllowed(testMode, true)).toBe(true);
    expect(messageEventsAllowed(testMode, false)).toBe(false);
    expect(messageEventsAllowed({ ...testMode, captchaTestAnswer: undefined }, true)).toBe(false);
  });
  it("exists next to MessageBird's local stand-in, never next to the real MessageBird", () => {
    const bird = { accessKey: "k", originator: "Flynth", signingKey: undefined };
    const standIn = { ...bird, standIn: { url: "https://127.0.0.1:3182", caFile: "/tmp/ca.pem" } };
    expect(messageEventsAllowed({ ...testMode, smsProvider: "messagebird", messagebird: standIn }, true)).toBe(true);
    expect(messageEventsAllowed({ ...testMode, smsProvider: "messagebird", messagebird: { ...bird, standIn: undefined } }, true)).toBe(
      false,
    );
  });
});
