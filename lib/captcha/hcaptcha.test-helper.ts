// Shared set-up for tests against the hCaptcha stand-in: started in this process once per file, reset after each test,
// and a portal configuration pointing at it (hCaptcha's test keys, a short timeout so "slow" costs half a second).
import { afterAll, afterEach, beforeAll } from "vitest";
import { HCAPTCHA_TEST_SECRET, HCAPTCHA_TEST_SITE_KEY, readConfig, type AppConfig } from "@/lib/config";
import { startHcaptchaStandIn, type HcaptchaStandIn } from "@/e2e/stand-ins/hcaptcha";

export function hcaptchaStandInForFile(): { standIn: () => HcaptchaStandIn; configFor: (env?: Record<string, string>) => AppConfig } {
  let standIn: HcaptchaStandIn | undefined;
  beforeAll(async () => {
    standIn = await startHcaptchaStandIn({ port: 0, slowMs: 3_000 });
  });
  afterAll(async () => {
    await standIn?.close();
  });
  afterEach(() => {
    standIn?.reset();
  });
  const running = () => {
    if (!standIn) throw new Error("the hCaptcha stand-in is not running (use it inside a test)");
    return standIn;
  };
  return {
    standIn: running,
    configFor: (env = {}) =>
      readConfig({
        ...process.env,
        BASE_URL: "http://localhost:3000",
        CAPTCHA_PROVIDER: "hcaptcha",
        HCAPTCHA_SITE_KEY: HCAPTCHA_TEST_SITE_KEY,
        HCAPTCHA_SECRET: HCAPTCHA_TEST_SECRET,
        HCAPTCHA_SCRIPT_URL: `${running().url}/1/api.js`,
        HCAPTCHA_VERIFY_URL: `${running().url}/siteverify`,
        PROVIDER_TIMEOUT_MS: "500",
        ...env,
      }),
  };
}
