// `npm run stand-ins`: the local hCaptcha and MessageBird for manual testing and the providers e2e suite; prints their
// addresses and the exact environment lines that point the portal at them. Stops cleanly on Ctrl-C or SIGTERM.
import path from "node:path";
import { TEST_SECRET, TEST_SITE_KEY, startHcaptchaStandIn } from "@/e2e/stand-ins/hcaptcha";
import { startMessageBirdStandIn } from "@/e2e/stand-ins/messagebird";

/** Signs the delivery reports the MessageBird stand-in sends; the portal must be given the same key. */
export const STAND_IN_SIGNING_KEY = "stand-in-signing-key-not-for-production";

async function main() {
  const hcaptchaPort = Number(process.env.HCAPTCHA_STAND_IN_PORT ?? 3181);
  const messagebirdPort = Number(process.env.MESSAGEBIRD_STAND_IN_PORT ?? 3182);
  const dir = path.resolve(process.env.STAND_IN_DIR ?? ".stand-ins");
  const signingKey = process.env.MESSAGEBIRD_SIGNING_KEY ?? STAND_IN_SIGNING_KEY;

  // MessageBird first (it makes its certificates), so once hCaptcha answers its health check both are ready.
  const messagebird = await startMessageBirdStandIn({ port: messagebirdPort, dir, signingKey });
  const hcaptcha = await startHcaptchaStandIn({ port: hcaptchaPort });

  const env = [
    "CAPTCHA_PROVIDER=hcaptcha",
    `HCAPTCHA_SITE_KEY=${TEST_SITE_KEY}`,
    `HCAPTCHA_SECRET=${TEST_SECRET}`,
    `HCAPTCHA_SCRIPT_URL=${hcaptcha.url}/1/api.js`,
    `HCAPTCHA_VERIFY_URL=${hcaptcha.url}/siteverify`,
    "SMS_PROVIDER=messagebird",
    "MESSAGEBIRD_ACCESS_KEY=test_standin",
    "MESSAGEBIRD_ORIGINATOR=Flynth",
    `MESSAGEBIRD_SIGNING_KEY=${signingKey}`,
    `MESSAGEBIRD_STAND_IN=${messagebird.url}`,
    `MESSAGEBIRD_STAND_IN_CA=${messagebird.caFile}`,
  ];
  process.stdout.write(
    [
      `hCaptcha stand-in:    ${hcaptcha.url}   (widget ${hcaptcha.url}/1/api.js, control ${hcaptcha.url}/__control/…)`,
      `MessageBird stand-in: ${messagebird.url}  (CA ${messagebird.caFile}; requests: ${messagebird.url}/__control/requests)`,
      "",
      "Run the portal against them with:",
      "",
      ...env.map((line) => `  export ${line}`),
      "",
      "Codes the portal sends are in the MessageBird stand-in's recorded requests. Ctrl-C stops both.",
      "",
    ].join("\n"),
  );

  const stop = async () => {
    await Promise.all([messagebird.close(), hcaptcha.close()]);
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`stand-ins: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
