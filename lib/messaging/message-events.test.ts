import { describe, expect, it } from "vitest";
import { messageEventsAllowed } from "./message-events";

describe("messageEventsAllowed", () => {
  it("answers only a portal in test mode, and only requests from this machine", () => {
    expect(messageEventsAllowed({ captchaTestAnswer: "AdE4rT" }, "127.0.0.1")).toBe(true);
    expect(messageEventsAllowed({ captchaTestAnswer: "AdE4rT" }, "::1")).toBe(true);
    expect(messageEventsAllowed({ captchaTestAnswer: "AdE4rT" }, "192.168.1.20")).toBe(false);
    expect(messageEventsAllowed({ captchaTestAnswer: "AdE4rT" }, null)).toBe(false);
    expect(messageEventsAllowed({ captchaTestAnswer: undefined }, "127.0.0.1")).toBe(false);
  });
});
