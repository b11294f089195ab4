// `npm run screenshots`: the README's screenshots (e2e/screenshots.shots.ts), against the same production server as the
// e2e suite (e2e/web-server.sh, test CAPTCHA answer), in Dutch with JavaScript on. Needs a build (`npx next build`).
import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

const dutchWithJavaScript = base.projects!.find((p) => p.name === "nl-js")!;

export default defineConfig({
  ...base,
  testMatch: "**/*.shots.ts",
  // Jan's and Petra's screens are independent, but one worker leaves a core to the server on this small machine.
  workers: 1,
  projects: [{ name: "screenshots", use: dutchWithJavaScript.use }],
});
