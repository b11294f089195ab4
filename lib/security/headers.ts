// Security headers and the cross-site request check, as pure functions the proxy applies (and tests call directly).

/** Sources a provider adds to the policy (none unless that provider is configured). */
export type CspSources = { scriptHosts?: string[]; frameHosts?: string[]; styleHosts?: string[]; connectHosts?: string[] };

/** Builds the Content-Security-Policy for one response; extra hosts are added only where a provider needs them. */
export function buildCsp(nonce: string, opts: { dev?: boolean } & CspSources = {}): string {
  const scripts = ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(opts.scriptHosts ?? []), ...(opts.dev ? ["'unsafe-eval'"] : [])];
  const directives = [
    "default-src 'self'",
    `script-src ${scripts.join(" ")}`,
    `style-src ${["'self'", `'nonce-${nonce}'`, ...(opts.styleHosts ?? [])].join(" ")}`,
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

/**
 * What the hCaptcha widget needs, from its configured script URL: hCaptcha's documented hosts (hcaptcha.com and its
 * subdomains, for script, frame, style and connect) when the script comes from hCaptcha, else exactly the script's
 * origin (a stand-in). With 'strict-dynamic' CSP3 browsers ignore the script hosts: the widget's script is trusted
 * because the nonce-carrying bundle inserts it; the hosts are there for older browsers.
 */
export function hcaptchaCspSources(scriptUrl: string | undefined): CspSources {
  if (!scriptUrl) return {};
  const url = new URL(scriptUrl);
  const official = url.protocol === "https:" && (url.hostname === "hcaptcha.com" || url.hostname.endsWith(".hcaptcha.com"));
  const hosts = official ? ["https://hcaptcha.com", "https://*.hcaptcha.com"] : [url.origin];
  return { scriptHosts: hosts, frameHosts: hosts, styleHosts: hosts, connectHosts: hosts };
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
export function isCrossSiteWrite(req: {
  method: string;
  origin: string | null;
  secFetchSite: string | null;
  host: string | null;
}): boolean {
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
