// Playwright: the e2e specs in Dutch and English, with JavaScript on and off, against the production build (`next start`).
import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3100);
// localhost (not 127.0.0.1) so Chromium treats the origin as secure and keeps the __Host- cookies.
const baseURL = `http://localhost:${port}`;

// Debian's Chromium; `npx playwright install` cannot download here. As root it needs --no-sandbox.
export const chromium = {
  ...devices["Desktop Chrome"],
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  },
};

/**
 * Specs that run in two of the four projects, one per language and one per JavaScript mode, so each still runs in
 * Dutch and English, with JavaScript on and off: pairs, not the whole matrix. The user journeys (reset, unlock, sign-in,
 * help, language, security, audio CAPTCHA) run in all four. These longer specs test pages whose language changes only
 * their words, which the journeys and the page gates (every page in both languages) check already. In all four
 * projects they took 1 850 s of the suite's 3 310 s of test time on the 2-core CI machine (29 minutes with two
 * workers, 2026-12-01). `nl-nojs` and `en-js` are also the projects of the second database pass (scripts/test.sh), so
 * the first pair is the one it runs.
 */
const PAIRS = {
  "nl-nojs/en-js": [
    "**/admin-access.spec.ts",
    "**/admin-audit.spec.ts",
    "**/admin-helpdesk.spec.ts",
    "**/admin-sign-in.spec.ts",
    "**/recovery-details.spec.ts",
  ],
  "nl-js/en-nojs": ["**/honest-steps.spec.ts", "**/wizard-details.spec.ts"],
};

// Each project signs in with its own users (e2e/fixtures/users.csv), so projects never share a lockout counter.
const projects = (["nl", "en"] as const).flatMap((language) =>
  ([true, false] as const).map((javaScriptEnabled) => ({
    name: `${language}-${javaScriptEnabled ? "js" : "nojs"}`,
    // The wizard's negative paths test behaviour, not wording: Dutch with JavaScript on and off is enough (each page
    // a test visits costs an axe run).
    // The provider specs need the stand-ins and their own server: playwright.providers.config.ts runs them.
    // The server specs start portals of their own (e2e/server/) and run once, in the "server" project.
    // The directory specs need real directories: playwright.directories.config.ts.
    // scripted.spec.ts holds behaviour that only exists with JavaScript: the no-JavaScript projects leave it out.
    testIgnore: [
      "**/providers/**",
      "**/server/**",
      "**/directories/**",
      ...(language === "en" ? ["**/recovery-errors.spec.ts"] : []),
      ...(javaScriptEnabled ? [] : ["**/scripted.spec.ts"]),
      // Each pair's specs stay out of the other two projects.
      ...((language === "nl") === javaScriptEnabled ? PAIRS["nl-nojs/en-js"] : PAIRS["nl-js/en-nojs"]),
    ],
    use: {
      ...chromium,
      // The browser's Accept-Language picks the portal's language.
      locale: language === "nl" ? "nl-NL" : "en-US",
      javaScriptEnabled,
    },
  })),
);

/**
 * The test settings of every portal the browser suites and the page gates start (scripts/page-gates.ts): the CAPTCHA's
 * fixed answer and the limits that one machine's many flows would otherwise reach.
 */
export const e2eTestSettings: Record<string, string> = {
  // Every e2e sign-in comes from this machine's one IP; the per-IP limit has its own integration tests.
  LIMIT_SIGNIN_PER_IP_PER_HOUR: "10000",
  // The built-in CAPTCHA accepts this answer (e2e/fixtures/recovery.ts) and every page shows the test-mode banner, both
  // only to requests from this machine: every suite's browser and HTTP client connects over loopback.
  CAPTCHA_TEST_ANSWER: "AdE4rT",
  // The wizard specs start dozens of flows from this one IP, and a reused PostgreSQL database keeps earlier runs'
  // counts; these limits are tested at their edges in lib/recovery/service.limits.test.ts.
  LIMIT_FLOWS_PER_IP_PER_HOUR: "10000",
  LIMIT_CAPTCHA_PER_IP_PER_HOUR: "10000",
  LIMIT_CAPTCHA_IMAGES_PER_IP_PER_HOUR: "100000",
  LIMIT_CAPTCHA_AUDIO_PER_IP_PER_HOUR: "100000",
  LIMIT_FLOWS_PER_USER_PER_DAY: "1000",
  LIMIT_CODE_FAILURES_PER_ACCOUNT_PER_DAY: "1000",
  // The e2e users share a few mobile numbers over many flows; the cap holds at its edge in
  // lib/recovery/steps.strangers.test.ts.
  LIMIT_CODES_PER_NUMBER_PER_DAY: "1000",
  // The global SMS caps count every run's messages on a reused database; they trip at their edge in
  // lib/messaging/spend-guard.test.ts and lib/recovery/service.delivery.test.ts.
  SMS_CAP_PER_HOUR: "100000",
  SMS_CAP_PER_DAY: "1000000",
};

export default defineConfig({
  testDir: "./e2e",
  testMatch: "**/*.spec.ts",
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  // Two cores: one for the server, one for Chromium and the runner.
  workers: Number(process.env.E2E_WORKERS ?? 2),
  reporter: "list",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // Traces and screenshots of failed tests; the failure report at the end of `npm test` names them. .ci/run gives each
  // database pass its own folder, so the second pass does not delete the first one's traces.
  outputDir: process.env.E2E_OUTPUT_DIR ?? "test-results",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    actionTimeout: 15_000,
    navigationTimeout: 20_000,
  },
  projects: [
    ...projects,
    // `npm start`'s own server, started by the specs themselves with the settings each one needs (client IP, health,
    // shutdown): plain HTTP, no browser.
    { name: "server", testMatch: "server/**/*.spec.ts", use: { ...chromium } },
  ],
  webServer: {
    // Provisions the e2e users with the operator CLI, then runs `next start` (see the script for the data folder).
    command: "bash e2e/web-server.sh",
    url: `${baseURL}/nl`,
    env: {
      PORT: String(port),
      BASE_URL: baseURL,
      NEXT_TELEMETRY_DISABLED: "1",
      ...e2eTestSettings,
    },
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    // SIGTERM lets the script stop the server and remove its temporary data folder.
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
  },
});
