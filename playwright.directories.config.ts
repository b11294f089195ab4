// Playwright against real directories (issue #9): the production build with DIRECTORY=ad (Samba AD DC) and with
// DIRECTORY=ldap (slapd with ppolicy), each started by its web server through the directory test harness. The full
// reset and unlock journeys, ending with a sign-in on the portal's sign-in page (a bind behind it): in Dutch and English
// with JavaScript on and off against each directory (issue #9's done-when; the stores' directory side is covered in
// depth by the Vitest directories project). A third portal, configured for AD but with an LDAP_URL that nobody
// answers, shows the 503 page. The three portals and both directories start side by side (e2e/directories/web-servers.sh).
import path from "node:path";
import { defineConfig } from "@playwright/test";
// Debian's Chromium with the same flags as the main suite.
import { chromium, e2eTestSettings } from "./playwright.config";

const adPort = Number(process.env.E2E_DIRECTORY_AD_PORT ?? 3410);
const ldapPort = Number(process.env.E2E_DIRECTORY_LDAP_PORT ?? 3411);
const downPort = Number(process.env.E2E_DIRECTORY_DOWN_PORT ?? 3412);
const url = (port: number) => `http://localhost:${port}`;

// Typed secrets (e2e/fixtures/canaries.ts) go to this suite's own folder, not the main suite's .e2e-run.
process.env.E2E_RUN_DIR ??= path.resolve(__dirname, ".e2e-directories");

type Kind = "ad" | "ldap" | "down";
const ports: Record<Kind, number> = { ad: adPort, ldap: ldapPort, down: downPort };

const project = (kind: Kind, language: "nl" | "en", javaScriptEnabled: boolean) => ({
  // e2e/fixtures/portal.ts reads the language from the name's first part.
  name: `${language}-${javaScriptEnabled ? "js" : "nojs"}-${kind}`,
  testMatch: kind === "down" ? "unavailable.spec.ts" : "journeys.spec.ts",
  use: { ...chromium, baseURL: url(ports[kind]), locale: language === "nl" ? "nl-NL" : "en-US", javaScriptEnabled },
});

// The portals share these (web-servers.sh gives each its BASE_URL): the CAPTCHA's test answer and limits that one
// loopback IP would otherwise hit.
const portalEnv = {
  NEXT_TELEMETRY_DISABLED: "1",
  ...e2eTestSettings,
  ...(process.env.TOEGANG_DIRECTORY_CACHE ? { TOEGANG_DIRECTORY_CACHE: process.env.TOEGANG_DIRECTORY_CACHE } : {}),
};

// One web server for all three portals: as separate entries Playwright would start each only once the previous one
// answers. Ready when the script says all three answer; it exits (and the run fails at once) when one of them dies.
const servers = {
  command: `bash e2e/directories/web-servers.sh ${adPort} ${ldapPort} ${downPort}`,
  wait: { stdout: /e2e: directory portals ready/ },
  env: portalEnv,
  reuseExistingServer: false,
  // A fresh machine installs Samba from Debian's packages first (~165 s) and provisions a domain (~30 s).
  timeout: 360_000,
  stdout: "pipe" as const,
  stderr: "pipe" as const,
  gracefulShutdown: { signal: "SIGTERM" as const, timeout: 15_000 },
};

export default defineConfig({
  testDir: "./e2e/directories",
  testMatch: "**/*.spec.ts",
  // Projects run side by side, each project's tests in one worker: with every test in a worker of its own, each of the
  // 18 started a browser (and its axe page) of its own, 2–5 s each on the loaded 2-core machine.
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  reporter: "list",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  outputDir: path.join(process.env.E2E_OUTPUT_DIR ?? "test-results", "directories"),
  use: { trace: "retain-on-failure", screenshot: "only-on-failure", actionTimeout: 15_000, navigationTimeout: 20_000 },
  // As root the harness installs Samba and slapd when they are missing; otherwise their web server fails at once,
  // naming what to install (a suite that cannot run is a failure, never a skip).
  projects: [
    project("ad", "nl", true),
    project("ad", "nl", false),
    project("ad", "en", true),
    project("ad", "en", false),
    project("ldap", "nl", true),
    project("ldap", "nl", false),
    project("ldap", "en", true),
    project("ldap", "en", false),
    // A portal whose directory answers nobody: the 503 page.
    project("down", "nl", true),
    project("down", "en", false),
  ],
  webServer: servers,
});
