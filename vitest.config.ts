// Vitest: unit tests beside their modules and integration tests on both database drivers ("unit"), and the tests
// against real directories ("directories": Samba AD DC and slapd, started by its global setup while the unit tests run,
// and run after them). `npx vitest run --project unit` leaves the directories alone.
import path from "node:path";
import { defineConfig } from "vitest/config";

const include = ["lib/**/*.test.ts", "scripts/**/*.test.ts", "app/**/*.test.ts", "tests/**/*.test.ts"];
const directoryTests = "**/*.directory.test.ts";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(__dirname),
      "server-only": path.resolve(__dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    environment: "node",
    // Above Vitest's 5 s: an integration test opens a fresh embedded database (about 3 s for PGlite's first start) or
    // spawns the CLI, and hashes with Argon2id; a hook creates and migrates databases for a whole file.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one worker fewer than the cores: one on the 2-core CI machine, where the files then ran one
    // after another (817 s in .ci/run of 3fdd7a2; 624 s on two). Every integration test has its own database
    // (tests/db.ts), so two files run side by side. VITEST_MAX_WORKERS overrides it.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 2),
    // next-intl's ESM imports "next/server" without an extension, which Node's loader refuses; run it through Vite
    // (tests/proxy.test.ts loads the proxy with next-intl's middleware).
    server: { deps: { inline: ["next-intl"] } },
    env: {
      NEXT_TELEMETRY_DISABLED: "1",
      // Vite puts its own BASE_URL ("/") into process.env; the portal reads BASE_URL as its public address.
      BASE_URL: "http://localhost:3000",
      SESSION_SECRET: "vitest-session-secret-0123456789-abcdefghijkl",
      HASH_KEY: "vitest-hash-key-0123456789-abcdefghijklmnopq",
      DATA_DIR: path.resolve(__dirname, ".data/vitest"),
      // Integration tests give many users the same mobile number; the per-number cap holds at its default edge in
      // lib/recovery/steps.strangers.test.ts, which unsets this.
      LIMIT_CODES_PER_NUMBER_PER_DAY: "1000",
    },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include,
          exclude: ["**/node_modules/**", directoryTests],
          sequence: { groupOrder: 0 },
          globalSetup: ["tests/pglite-template-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "directories",
          include: [directoryTests],
          globalSetup: ["tests/directories/vitest-setup.ts"],
          // After the unit tests, so the directories start while those run.
          sequence: { groupOrder: 1 },
          // Its files share the two directories' accounts: one at a time.
          maxWorkers: 1,
          // A fresh machine installs the packages and provisions Samba before the first test.
          hookTimeout: 360_000,
        },
      },
    ],
  },
});
