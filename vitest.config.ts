// Vitest: unit tests beside their modules and integration tests on both database drivers.
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(__dirname),
      "server-only": path.resolve(__dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "app/**/*.test.ts", "tests/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: {
      NEXT_TELEMETRY_DISABLED: "1",
      // Vite puts its own BASE_URL ("/") into process.env; the portal reads BASE_URL as its public address.
      BASE_URL: "http://localhost:3000",
      SESSION_SECRET: "vitest-session-secret-0123456789-abcdefghijkl",
      HASH_KEY: "vitest-hash-key-0123456789-abcdefghijklmnopq",
      DATA_DIR: path.resolve(__dirname, ".data/vitest"),
    },
  },
});
