// Next.js configuration: PGlite and the Argon2 binding stay outside the bundle; next-intl wires the request config.
import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

const nextConfig: NextConfig = {
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2"],
  poweredByHeader: false,
  experimental: {
    serverActions: {
      bodySizeLimit: "64kb",
      allowedOrigins: [],
    },
  },
};

export default withNextIntl(nextConfig);
