// `npm run screenshots`: the README's screenshots (e2e/screenshots.shots.ts), against the same production server as the
// e2e suite (e2e/web-server.sh, test CAPTCHA answer) with an example logo and colour, in Dutch with JavaScript on.
// Needs a build (`npx next build`).
import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

const dutchWithJavaScript = base.projects!.find((p) => p.name === "nl-js")!;

const server = base.webServer as Exclude<typeof base.webServer, unknown[] | undefined>;

export default defineConfig({
  ...base,
  // The README shows what an organisation can set: its logo and its colour (README, Configuration).
  webServer: { ...server, env: { ...server.env, ORG_LOGO: "docs/branding/example-logo.svg", ORG_COLOR: "#1d5e3b" } },
  testMatch: "**/*.shots.ts",
  // Jan's and Petra's screens are independent, but one worker leaves a core to the server on this small machine.
  workers: 1,
  projects: [
    {
      name: "screenshots",
      use: {
        ...dutchWithJavaScript.use,
        // The browser's own controls (the audit filters' date fields) in Dutch as well: the locale setting changes the
        // page's language, not Chromium's, whose date fields otherwise read 11/24/2026, 12:00 AM.
        launchOptions: {
          ...dutchWithJavaScript.use!.launchOptions,
          args: [...(dutchWithJavaScript.use!.launchOptions?.args ?? []), "--lang=nl-NL"],
          env: { ...process.env, LANG: "nl_NL.UTF-8", LANGUAGE: "nl" },
        },
      },
    },
  ],
});
