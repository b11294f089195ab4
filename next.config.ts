// Next.js configuration: PGlite, the Argon2 binding and the MessageBird SDK (which must use Node's own https module, so a
// test stand-in can redirect it) stay outside the bundle; next-intl wires the request config.
import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";
import { ACTION_BODY_LIMIT_BYTES } from "./lib/security/action-request";

const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

const nextConfig: NextConfig = {
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "messagebird"],
  poweredByHeader: false,
  // The reverse proxy compresses (brotli, gzip; README "Performance"): compressing here too would only spend CPU.
  compress: false,
  experimental: {
    // Each route's code is loaded when it is first asked for, not all of them at start: a start does not load the admin
    // pages, the API routes and the development pages that most processes never serve (less memory, a shorter start).
    preloadEntriesOnStart: false,
    serverActions: {
      // The proxy answers 413 above this (lib/security/action-request.ts); Next itself would answer 500.
      bodySizeLimit: ACTION_BODY_LIMIT_BYTES,
      allowedOrigins: [],
    },
  },
};

export default withNextIntl(nextConfig);
