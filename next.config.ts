// Next.js configuration: PGlite, the Argon2 binding and the MessageBird SDK (which must use Node's own https module, so a
// test stand-in can redirect it) stay outside the bundle; next-intl wires the request config.
import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

const nextConfig: NextConfig = {
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "messagebird"],
  poweredByHeader: false,
  // The reverse proxy compresses (brotli, gzip; README "Performance"): compressing here too would only spend CPU.
  compress: false,
  experimental: {
    serverActions: {
      bodySizeLimit: "64kb",
      allowedOrigins: [],
    },
  },
};

export default withNextIntl(nextConfig);
