// Security headers and the cross-site request check, as pure functions the proxy applies (and tests call directly).

/** Builds the Content-Security-Policy for one response; extra hosts are added only where a provider needs them. */
export function buildCsp(nonce: string, opts: { dev?: boolean; scriptHosts?: string[]; frameHosts?: string[]; connectHosts?: string[] } = {}): string {
  const scripts = ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(opts.scriptHosts ?? []), ...(opts.dev ? ["'unsafe-eval'"] : [])];
  const directives = [
    "default-src 'self'",
    `script-src ${scripts.join(" ")}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self'",
    `connect-src ${["'self'", ...(opts.connectHosts ?? [])].join(" ")}`,
    `frame-src ${opts.frameHosts?.length ? opts.frameHosts.join(" ") : "'none'"}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ];
  return directives.join("; ");
}

export const staticSecurityHeaders: Record<string, string> = {
  "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
  "X-Content-Type-Options": "nosniff",
  // Not "no-referrer": with it Chromium sends "Origin: null" on the portal's own no-JavaScript form posts, and Next.js
  // (and isCrossSiteWrite) refuse those. "same-origin" still sends nothing to any other site.
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** A state-changing request from another site (or an opaque origin) is refused before it reaches an action. */
export function isCrossSiteWrite(req: { method: string; origin: string | null; secFetchSite: string | null; host: string | null }): boolean {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return false;
  if (req.secFetchSite === "cross-site") return true;
  if (req.origin === null) return false;
  if (req.origin === "null") return true;
  try {
    return new URL(req.origin).host !== req.host;
  } catch {
    return true;
  }
}
