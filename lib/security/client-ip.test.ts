// The one rule for the client IP: the TCP peer, unless it is a trusted proxy; then X-Forwarded-For right to left.
import { describe, expect, it } from "vitest";
import { clientIpFrom, isLoopback, normaliseIp, parseTrustedProxies } from "./client-ip";

const none = parseTrustedProxies("");
const loopback = parseTrustedProxies("127.0.0.1");

describe("clientIpFrom", () => {
  it("with no trusted proxies the TCP peer is the client, whatever X-Forwarded-For says", () => {
    expect(clientIpFrom("127.0.0.1", "203.0.113.7", none)).toBe("127.0.0.1");
    expect(clientIpFrom("198.51.100.4", "127.0.0.1", none)).toBe("198.51.100.4");
    expect(clientIpFrom("::ffff:198.51.100.4", "10.0.0.1, 127.0.0.1", none)).toBe("198.51.100.4");
  });

  it("an untrusted peer cannot borrow a trusted proxy's header", () => {
    expect(clientIpFrom("198.51.100.4", "203.0.113.7", loopback)).toBe("198.51.100.4");
  });

  it("behind a trusted proxy the entry it appended is the client, and entries the client sent in front are ignored", () => {
    expect(clientIpFrom("127.0.0.1", "203.0.113.7", loopback)).toBe("203.0.113.7");
    expect(clientIpFrom("127.0.0.1", "127.0.0.1, 6.6.6.6, 203.0.113.7", loopback)).toBe("203.0.113.7");
  });

  it("skips every trusted hop from the right, with CIDR ranges", () => {
    const chain = parseTrustedProxies("10.0.0.0/8, 192.168.1.10");
    expect(clientIpFrom("10.1.2.3", "6.6.6.6, 203.0.113.7, 192.168.1.10, 10.9.9.9", chain)).toBe("203.0.113.7");
    // A spoofed trusted-looking entry left of the real client changes nothing.
    expect(clientIpFrom("10.1.2.3", "10.0.0.1, 203.0.113.7", chain)).toBe("203.0.113.7");
  });

  it("when every hop is trusted, or the header is missing or garbage, the leftmost trusted hop read is the answer", () => {
    expect(clientIpFrom("127.0.0.1", null, loopback)).toBe("127.0.0.1");
    expect(clientIpFrom("127.0.0.1", "", loopback)).toBe("127.0.0.1");
    expect(clientIpFrom("127.0.0.1", "not-an-ip", loopback)).toBe("127.0.0.1");
    expect(clientIpFrom("127.0.0.1", "203.0.113.9, bogus", loopback)).toBe("127.0.0.1");
    const all = parseTrustedProxies("10.0.0.0/8");
    expect(clientIpFrom("10.0.0.2", "10.0.0.9, 10.0.0.5", all)).toBe("10.0.0.9");
  });

  it("handles IPv6 peers and ranges, and IPv4-mapped IPv6 on either side", () => {
    const v6 = parseTrustedProxies("fd00::/8, ::1");
    expect(clientIpFrom("::1", "2001:DB8::7", v6)).toBe("2001:db8::7");
    expect(clientIpFrom("fd12:3456::1", "2001:db8::7, fd00::9", v6)).toBe("2001:db8::7");
    expect(clientIpFrom("2001:db8::1", "203.0.113.7", v6)).toBe("2001:db8::1");
    // An IPv4 entry trusts the IPv4-mapped form Node reports on a dual-stack socket.
    expect(clientIpFrom("::ffff:127.0.0.1", "::ffff:203.0.113.7", loopback)).toBe("203.0.113.7");
    expect(clientIpFrom("[::1]", null, none)).toBe("::1");
  });

  it("without a peer (not through the portal's server) the client is unknown, never the header", () => {
    expect(clientIpFrom(null, "203.0.113.7", loopback)).toBeNull();
    expect(clientIpFrom(undefined, "203.0.113.7", none)).toBeNull();
    expect(clientIpFrom("garbage", "203.0.113.7", loopback)).toBeNull();
  });
});

describe("parseTrustedProxies", () => {
  it("accepts addresses and CIDR ranges of both families and normalises them", () => {
    expect(parseTrustedProxies(" 10.0.0.0/8 ,127.0.0.1,, ::1, FD00::/8 ,::ffff:10.1.1.1").entries).toEqual([
      "10.0.0.0/8",
      "127.0.0.1",
      "::1",
      "fd00::/8",
      "10.1.1.1",
    ]);
    expect(parseTrustedProxies(undefined).entries).toEqual([]);
  });

  it("refuses what is not an address or range, naming the entry", () => {
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow(/"10.0.0.0\/33".*0–32/);
    expect(() => parseTrustedProxies("::1/129")).toThrow(/0–128/);
    expect(() => parseTrustedProxies("proxy.example.nl")).toThrow(/"proxy.example.nl" is not an IP/);
    expect(() => parseTrustedProxies("10.0.0.1/8/8")).toThrow(/not an IP/);
    expect(() => parseTrustedProxies("10.0.0.1/x")).toThrow(/prefix/);
  });
});

describe("normaliseIp and isLoopback", () => {
  it("normalise the forms a socket or a proxy may report", () => {
    expect(normaliseIp("::FFFF:192.0.2.1")).toBe("192.0.2.1");
    expect(normaliseIp("fe80::1%eth0")).toBe("fe80::1");
    expect(normaliseIp("192.0.2.1:443")).toBeNull();
    expect(normaliseIp("")).toBeNull();
  });
  it("know this machine's loopback addresses only", () => {
    for (const ip of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) expect(isLoopback(ip)).toBe(true);
    for (const ip of ["10.127.0.1", "192.168.1.20", "::2", null, "localhost"]) expect(isLoopback(ip)).toBe(false);
  });
});
