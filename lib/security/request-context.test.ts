// The request id: the custom server's x-request-id when it is one, a fresh id when it is missing or not an id.
import { describe, expect, it } from "vitest";
import { clientIpOf, fromThisMachine, requestIdFrom } from "./request-context";

describe("requestIdFrom", () => {
  it("keeps the id the server set", () => {
    expect(requestIdFrom("3f2a9c1e-7b1d-4c55-9a0e-2d4b6f8a1c3e")).toBe("3f2a9c1e-7b1d-4c55-9a0e-2d4b6f8a1c3e");
  });
  it("makes a new one when there is none, or when the header is not an id", () => {
    for (const header of [null, "", "a b", "x".repeat(65), "id\nSet-Cookie: x"]) {
      const id = requestIdFrom(header);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(requestIdFrom(header)).not.toBe(id);
    }
  });
});

describe("clientIpOf and fromThisMachine", () => {
  const request = (headers: Record<string, string>) => new Headers(headers);
  it("take the TCP peer the portal's server set, not a client's X-Forwarded-For", () => {
    delete process.env.TRUSTED_PROXIES;
    expect(clientIpOf(request({ "x-toegang-peer": "::ffff:127.0.0.1", "x-forwarded-for": "203.0.113.7" }))).toBe("127.0.0.1");
    expect(clientIpOf(request({ "x-forwarded-for": "203.0.113.7" }))).toBeNull();
    expect(fromThisMachine(request({ "x-toegang-peer": "127.0.0.1", "x-forwarded-for": "203.0.113.7" }))).toBe(true);
    expect(fromThisMachine(request({ "x-toegang-peer": "198.51.100.2", "x-forwarded-for": "127.0.0.1" }))).toBe(false);
    expect(fromThisMachine(request({ "x-forwarded-for": "127.0.0.1" }))).toBe(false);
  });
});
