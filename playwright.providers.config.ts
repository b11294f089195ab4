// Playwright for the real providers: the production build with CAPTCHA_PROVIDER=hcaptcha and SMS_PROVIDER=messagebird,
// the real widget and the real SDK, both answered by the local stand-ins (scripts/stand-ins.ts). Specs switch the
// stand-ins' modes for their own keys only (a project's phone numbers at MessageBird, a tick's token at hCaptcha), so
// the spec files and projects run side by side; within a file the tests run in order (one project's user and number).
import os from "node:os";
import path from "node:path";
import { defineConfig, type PlaywrightTestConfig } from "@playwright/test";
import base from "./playwright.config";

const port = Number(process.env.E2E_PROVIDERS_PORT ?? 3180);
const hcaptchaPort = Number(process.env.E2E_HCAPTCHA_PORT ?? 3181);
const messagebirdPort = Number(process.env.E2E_MESSAGEBIRD_PORT ?? 3182);
// localhost (not 127.0.0.1) so Chromium treats the origin as secure and keeps the __Host- cookies.
const baseURL = `http://localhost:${port}`;
/** Where the MessageBird stand-in writes its certificates; the same path in the runner and in every worker. */
const standInDir = path.join(os.tmpdir(), `toegang-stand-ins-${messagebirdPort}`);
/** Signs the stand-in's delivery reports; the portal verifies them with it. A test value, never a real key. */
const signingKey = "e2e-providers-signing-key-0123456789";

// The same Chromium projects as the main suite: both languages with JavaScript, and Dutch without it (where the
// built-in CAPTCHA stands in for hCaptcha). nl-js runs every test; en-js the ones whose texts depend on the language
// (tagged @languages: the widget, the SMS and the spoken code); nl-nojs the ones where JavaScript changes what happens
// (tagged @no-js). The rest is the server's side of the providers, the same in every project (issue #14).
const grepFor: Record<string, RegExp | undefined> = { "nl-js": undefined, "en-js": /@languages\b/, "nl-nojs": /@no-js\b/ };
const projects = (base.projects ?? [])
  .filter((p) => (p.name ?? "") in grepFor)
  .map((p) => ({ ...p, testIgnore: [], grep: grepFor[p.name!] }));
const mainServer = base.webServer as Extract<PlaywrightTestConfig["webServer"], { command: string }>;
// This suite's run folder (its portal's log, embedded database and typed secrets, e2e/fixtures/canaries.ts), not the
// main suite's .e2e-run, which e2e/web-server.sh would empty: the canary check reads both after every browser suite.
const runDir = path.resolve(process.env.E2E_PROVIDERS_RUN_DIR ?? path.join(__dirname, ".e2e-providers"));
process.env.E2E_RUN_DIR = runDir;

export default defineConfig({
  ...base,
  testDir: "./e2e/providers",
  testMatch: "**/*.spec.ts",
  // A folder of its own: Playwright empties its output folder at the start, and the main run's traces must stay.
  outputDir: path.join(base.outputDir ?? "test-results", "providers"),
  fullyParallel: false,
  // One test at a time: the portal judges a send to a number that is not registered from the provider's health, the
  // newest outcome of any send (lib/messaging/provider-health.ts). With two workers a test's successful send made the
  // provider healthy between another test's failed send and its wrong-number step (CI of 821c250, messagebird.spec.ts
  // "during an outage", nl-js). The stand-ins' per-key modes do not separate that shared state.
  workers: 1,
  use: { ...base.use, baseURL },
  projects,
  webServer: [
    {
      command: "npx tsx scripts/stand-ins.ts",
      // The MessageBird stand-in starts first, so a healthy hCaptcha stand-in means both are up.
      url: `http://127.0.0.1:${hcaptchaPort}/__control/health`,
      env: {
        HCAPTCHA_STAND_IN_PORT: String(hcaptchaPort),
        MESSAGEBIRD_STAND_IN_PORT: String(messagebirdPort),
        STAND_IN_DIR: standInDir,
        MESSAGEBIRD_SIGNING_KEY: signingKey,
      },
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    },
    {
      ...mainServer,
      url: `${baseURL}/nl`,
      env: {
        ...mainServer.env,
        E2E_RUN_DIR: runDir,
        PORT: String(port),
        BASE_URL: baseURL,
        E2E_EXTRA_USERS: "e2e/providers/users.csv",
        CAPTCHA_PROVIDER: "hcaptcha",
        HCAPTCHA_SITE_KEY: "10000000-ffff-ffff-ffff-000000000001",
        HCAPTCHA_SECRET: "0x0000000000000000000000000000000000000000",
        HCAPTCHA_SCRIPT_URL: `http://127.0.0.1:${hcaptchaPort}/1/api.js`,
        HCAPTCHA_VERIFY_URL: `http://127.0.0.1:${hcaptchaPort}/siteverify`,
        SMS_PROVIDER: "messagebird",
        MESSAGEBIRD_ACCESS_KEY: "test_standin",
        MESSAGEBIRD_ORIGINATOR: "Flynth",
        MESSAGEBIRD_SIGNING_KEY: signingKey,
        MESSAGEBIRD_STAND_IN: `https://127.0.0.1:${messagebirdPort}`,
        MESSAGEBIRD_STAND_IN_CA: path.join(standInDir, "ca.pem"),
      },
    },
  ],
});
