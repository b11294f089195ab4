import { describe, expect, it } from "vitest";
import { clientIp } from "./client-ip";

describe("clientIp", () => {
  it("takes the entry the nearest trusted proxy wrote, ignoring what the client put in front", () => {
    expect(clientIp("127.0.0.1, 203.0.113.7", 1)).toBe("203.0.113.7");
    expect(clientIp("6.6.6.6, 203.0.113.7, 10.0.0.2", 2)).toBe("203.0.113.7");
  });
  it("with no proxy the header is the socket address next start filled in", () => {
    expect(clientIp("::1", 1)).toBe("::1");
  });
  it("never reads past the left end, and copes with an empty header", () => {
    expect(clientIp("203.0.113.7", 3)).toBe("203.0.113.7");
    expect(clientIp(null, 1)).toBeNull();
    expect(clientIp(" , ", 1)).toBeNull();
  });
});
