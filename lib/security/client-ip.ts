// The client's IP from X-Forwarded-For, counted from the right: entries left of the trusted proxies are the client's own say.

/**
 * hops = how many trusted proxies append to X-Forwarded-For in front of the portal (next start itself fills the header
 * with the socket address when no proxy sent one). The entry `hops` from the right is the first one a trusted party wrote.
 */
export function clientIp(forwardedFor: string | null, hops: number): string | null {
  if (!forwardedFor) return null;
  const entries = forwardedFor
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  if (!entries.length) return null;
  const index = Math.max(0, entries.length - Math.max(1, hops));
  return entries[index]!.slice(0, 64);
}
