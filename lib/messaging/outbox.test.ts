import { describe, expect, it } from "vitest";
import { outboxPageAllowed } from "./outbox";

describe("outboxPageAllowed", () => {
  const local = { smsProvider: "outbox", outboxPage: "local" } as const;
  it("answers only requests from this machine", () => {
    expect(outboxPageAllowed(local, true)).toBe(true);
    expect(outboxPageAllowed(local, false)).toBe(false);
  });
  it("does not exist with a real SMS provider, or when switched off", () => {
    expect(outboxPageAllowed({ ...local, smsProvider: "messagebird" }, true)).toBe(false);
    expect(outboxPageAllowed({ ...local, outboxPage: "off" }, true)).toBe(false);
  });
});
