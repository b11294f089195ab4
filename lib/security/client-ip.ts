// The client's IP, decided in one place: the TCP peer the portal's own server saw, unless that peer is a trusted
// reverse proxy (TRUSTED_PROXIES); only then is X-Forwarded-For read, right to left, skipping trusted hops.
// Pure and dependency-free apart from node:net, so the configuration check, the server and the tests share it.
import { BlockList, isIP } from "node:net";

/**
 * The header the portal's server (server/main.mjs) sets on every request from the socket's remote address, after
 * deleting any copy the client sent. Nothing else may write it.
 */
export const PEER_HEADER = "x-toegang-peer";

/**
 * An address as the portal stores and compares it: IPv4-mapped IPv6 (::ffff:203.0.113.7) becomes plain IPv4, an IPv6
 * zone (%eth0) and surrounding brackets are dropped, IPv6 is lower case. Null when it is not an IP address.
 */
export function normaliseIp(value: string | null | undefined): string | null {
  if (!value) return null;
  let ip = value.trim();
  if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.slice(1, -1);
  const zone = ip.indexOf("%");
  if (zone > 0) ip = ip.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) ip = mapped[1]!;
  const family = isIP(ip);
  if (family === 4) return ip;
  if (family === 6) return ip.toLowerCase();
  return null;
}

export type TrustedProxies = { entries: readonly string[]; list: BlockList };

/**
 * TRUSTED_PROXIES: comma-separated addresses and CIDR ranges (10.0.0.0/8, 127.0.0.1, ::1, fd00::/8). Throws an Error
 * naming the first entry that is neither. An IPv4 entry also covers its IPv4-mapped IPv6 form.
 */
export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  const list = new BlockList();
  const entries: string[] = [];
  for (const raw of (value ?? "").split(",")) {
    const entry = raw.trim();
    if (!entry) continue;
    const [address, prefixText, extra] = entry.split("/");
    const ip = normaliseIp(address);
    const family = ip ? isIP(ip) : 0;
    if (!ip || extra !== undefined) throw new Error(`"${entry}" is not an IP address or CIDR range`);
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix >= 0 && prefix <= max)) throw new Error(`"${entry}" has a prefix length outside 0–${max}`);
    list.addSubnet(ip, prefix, family === 4 ? "ipv4" : "ipv6");
    entries.push(prefix === max ? ip : `${ip}/${prefix}`);
  }
  return { entries, list };
}

function isTrusted(ip: string, trusted: TrustedProxies): boolean {
  return trusted.entries.length > 0 && trusted.list.check(ip, isIP(ip) === 4 ? "ipv4" : "ipv6");
}

/**
 * The client's IP for limits, audit rows and access checks.
 * - No peer (a request that did not come through the portal's server): null, which every caller treats as unknown.
 * - A peer that is not a trusted proxy: the peer itself; X-Forwarded-For is the client's own say and is ignored.
 * - A trusted peer: X-Forwarded-For from the right, skipping trusted hops; the first untrusted address is the client.
 *   Each trusted proxy appends the address it was connected from, so an entry left of the nearest untrusted one was
 *   written by the client and never counts. When every entry is trusted (or the header is missing or garbage), the
 *   leftmost trusted hop that was read is the best one knows.
 */
export function clientIpFrom(
  peer: string | null | undefined,
  forwardedFor: string | null | undefined,
  trusted: TrustedProxies,
): string | null {
  let client = normaliseIp(peer);
  if (!client || !isTrusted(client, trusted)) return client;
  const hops = (forwardedFor ?? "").split(",").reverse();
  for (const hop of hops) {
    const ip = normaliseIp(hop);
    if (!ip) break;
    client = ip;
    if (!isTrusted(ip, trusted)) break;
  }
  return client;
}

/** Whether an address is this machine's loopback (127.0.0.0/8, ::1, and their IPv4-mapped form). */
export function isLoopback(ip: string | null | undefined): boolean {
  const normal = normaliseIp(ip);
  return normal !== null && (normal === "::1" || /^127\./.test(normal));
}
