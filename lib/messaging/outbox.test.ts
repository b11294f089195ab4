import { describe, expect, it } from "vitest";
import { outboxPageAllowed } from "./outbox";

describe("outboxPageAllowed", () => {
  const local = { smsProvider: "outbox", outboxPage: "local" } as const;
  it("by default answers only requests from this machine", () => {
    expect(outboxPageAllowed(local, "127.0.0.1")).toBe(true);
    expect(outboxPageAllowed(local, "::1")).toBe(true);
    expect(outboxPageAllowed(local, "::ffff:127.0.0.1")).toBe(true);
    expect(outboxPageAllowed(local, "192.168.1.20")).toBe(false);
    expect(outboxPageAllowed(local, "10.127.0.1")).toBe(false);
    expect(outboxPageAllowed(local, null)).toBe(false);
  });
  it("can be opened to everyone or switched off", () => {
    expect(outboxPageAllowed({ ...local, outboxPage: "open" }, "203.0.113.9")).toBe(true);
    expect(outboxPageAllowed({ ...local, outboxPage: "off" }, "127.0.0.1")).toBe(false);
  });
});
