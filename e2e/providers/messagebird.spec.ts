// MessageBird through the real SDK against the local stand-in (playwright.providers.config.ts starts it): a reset by SMS
// and an unlock by call with hCaptcha on "Wie bent u?", the code read from what the stand-in received; signed delivery
// reports; and MessageBird failing (500, too slow, invalid recipient): one request, the clear message on the code page,
// an audit event with MessageBird's code, and a way on. The stand-in's mode is global: tests run one at a time.
// Projects (playwright.providers.config.ts): what the user reads or hears is checked in both languages (@languages);
// what depends on JavaScript — a failed delivery shown on the code page by itself or on the next load — also without it
// (@no-js); the rest (the server's side of the SDK: reports, error codes) runs once, in nl-js.
import { randomBytes } from "node:crypto";
import type { Locator, Page } from "@playwright/test";
import { choosePassword, enterCode, expectStep, submitNumber } from "../fixtures/recovery";
import { unknownUserId, unregisteredMobile } from "../fixtures/users";
import { codeFrom, expect, messageEvents, providerUser, test, walkToCode, type MessageEvent, type Mode } from "./fixtures";

test.describe.configure({ mode: "serial" });

/** A new password nobody used before, also on a database reused from an earlier run. */
const freshPassword = () => `Nieuw-${randomBytes(4).toString("hex")}-7Q`;
/** The portal's timeout for a provider (PROVIDER_TIMEOUT_MS default) plus the code page's extra look. */
const DELIVERY_SETTLES_MS = 5_000 + 2_000;
const ORG = "Flynth";

test(
  "reset by SMS: hCaptcha, the real SDK sends the code and the notification to the registered number, the flow completes",
  { tag: "@languages" },
  async ({ page, portal, inspect, messagebird, baseURL }) => {
    const { t } = portal;
    const user = providerUser(portal.project);
    const since = new Date(Date.now() - 1_000);

    await walkToCode(page, portal, inspect, { userId: user.email, typed: user.mobile });
    await expect(page.getByText(t.recover.sentSms)).toBeVisible();
    const [sms] = await messagebird.forRecipient(user.recipient);
    expect(sms).toMatchObject({
      method: "POST",
      path: "/messages",
      body: { originator: ORG, recipients: user.recipient.slice(1), reportUrl: `${baseURL}/api/messagebird/reports` },
    });
    const code = codeFrom(sms!);
    expect(sms!.body.body).toBe(t.message("Sms.code", { org: ORG, code, minutes: 10 }));
    await enterCode(page, portal, code);

    await expectStep(page, portal, inspect, "password");
    await choosePassword(page, portal, freshPassword());
    await expectStep(page, portal, inspect, "done");
    await expect(page.getByRole("status")).toContainText(t.recover.doneReset);

    // The confirmation SMS goes the same way, in the user's language.
    const [, notification] = await messagebird.forRecipient(user.recipient, 2);
    expect(notification!.body.body).toBe(t.message("Sms.passwordChanged", { org: ORG, helpdesk: "+31 88 236 00 00" }));
    await expect
      .poll(async () =>
        (await messageEvents(page, since, messagebird)).filter((e) => e.event === "message.handed_over").map((e) => e.reason),
      )
      .toEqual(["code:sms", "notification:sms"]);
  },
);

test(
  "unlock by call: the voice message reads the digits one by one in the user's language, twice, never to voicemail",
  { tag: "@languages" },
  async ({ page, portal, inspect, messagebird }) => {
    const { language: lang, t } = portal;
    const user = providerUser(portal.project);
    await walkToCode(page, portal, inspect, { userId: user.email, typed: user.mobile, channel: "voice", intent: "unlock" });
    await expect(page.getByText(t.recover.sentVoice)).toBeVisible();

    const [call] = await messagebird.forRecipient(user.recipient);
    expect(call).toMatchObject({
      path: "/voicemessages",
      body: { language: lang === "nl" ? "nl-nl" : "en-gb", voice: "female", repeat: 2, ifMachine: "hangup" },
    });
    const code = codeFrom(call!);
    expect(call!.body.body).toBe(t.message("Sms.voiceCode", { org: ORG, code: code.split("").join(", "), minutes: 10 }));
    await enterCode(page, portal, code);
    await expectStep(page, portal, inspect, "done");
    await expect(page.getByRole("status")).toContainText(t.recover.doneUnlock);
    // The notification SMS goes out after the response: wait for it, so it does not land in the next test's records.
    const [, notification] = await messagebird.forRecipient(user.recipient, 2);
    expect(notification!.body.body).toBe(t.message("Sms.accountUnlocked", { org: ORG, helpdesk: "+31 88 236 00 00" }));
  },
);

test("delivery reports: a signed one is recorded against the flow once; unsigned, badly signed and stale ones are refused", async ({
  page,
  portal,
  inspect,
  messagebird,
  baseURL,
}) => {
  const user = providerUser(portal.project);
  const since = new Date(Date.now() - 1_000);
  await walkToCode(page, portal, inspect, { userId: user.email, typed: user.mobile });
  await messagebird.forRecipient(user.recipient);
  // The code's hand-over: the previous test's notification SMS is delivered after its response and may land in this
  // window too.
  let handedOver: MessageEvent | undefined;
  await expect
    .poll(
      async () =>
        (handedOver = (await messageEvents(page, since, messagebird)).find(
          (e) => e.event === "message.handed_over" && e.reason === "code:sms",
        )),
    )
    .toBeTruthy();
  const id = String(handedOver!.details!.providerId);
  const to = `${baseURL}/api/messagebird/reports`;

  for (const signature of ["none", "bad", "stale"] as const) {
    expect(await messagebird.report({ to, id, status: "delivered", signature }), `a report signed "${signature}"`).toMatchObject({
      status: 401,
    });
  }
  // MessageBird repeats a report until it gets a 200; the second is recorded no more.
  for (let i = 0; i < 2; i++) {
    expect(await messagebird.report({ to, id, status: "delivery_failed", reason: "unknown subscriber" })).toEqual({
      status: 200,
      body: "OK",
    });
  }

  const events = await messageEvents(page, since);
  expect(events.filter((e) => e.event === "message.report_refused").map((e) => e.reason)).toEqual(["unsigned", "bad-signature", "stale"]);
  const failed = events.filter((e) => e.event === "message.delivery_failed");
  expect(failed).toHaveLength(1);
  expect(failed[0]).toMatchObject({
    outcome: "failure",
    reason: "code:sms",
    flowId: handedOver!.flowId,
    details: { providerId: id, status: "delivery_failed", statusReason: "unknown subscriber" },
  });
  expect((await messagebird.forRecipient(user.recipient)).map((r) => r.body.reference)).toContain(handedOver!.flowId);
});

/** Without JavaScript the code page shows a failed delivery on a later load: reload until it does. */
async function reloadUntilVisible(page: Page, notice: Locator) {
  await expect(async () => {
    await page.reload();
    await expect(notice).toBeVisible({ timeout: 500 });
  }).toPass({ intervals: [500], timeout: DELIVERY_SETTLES_MS + 5_000 });
}

const failures: { mode: Mode; what: string; error: string; providerCode: number | null; httpStatus: number | null; noJs?: true }[] = [
  { mode: "500", what: "answers 500", error: "provider-error", providerCode: 99, httpStatus: 500 },
  // Without JavaScript too: the code page is loaded before the portal gives up on MessageBird.
  { mode: "slow", what: "does not answer within 5 s", error: "timeout", providerCode: null, httpStatus: null, noJs: true },
  { mode: "invalid-recipient", what: "refuses the recipient", error: "invalid-recipient", providerCode: 9, httpStatus: 422 },
];

for (const failure of failures) {
  test(
    `MessageBird ${failure.what}: one request, the clear message on the code page, an audit event with its code, and a retry at once`,
    { tag: failure.noJs ? "@no-js" : [] },
    async ({ page, portal, inspect, messagebird }, testInfo) => {
      const { t } = portal;
      const user = providerUser(portal.project);
      const since = new Date(Date.now() - 1_000);
      await messagebird.setMode(failure.mode);
      await walkToCode(page, portal, inspect, { userId: user.email, typed: user.mobile });

      await test.step("the code page says no code could be sent (by itself with JavaScript, on the next load without)", async () => {
        const notice = page
          .getByRole("main")
          .getByRole("alert")
          .filter({ hasText: t.message("Delivery.failed") });
        if (!portal.js) await reloadUntilVisible(page, notice);
        await expect(notice).toBeVisible({ timeout: DELIVERY_SETTLES_MS + 5_000 });
        await expect(page.getByText(t.recover.sentSms)).toHaveCount(0);
        await inspect(page);
        await page.screenshot({ path: testInfo.outputPath(`code-${failure.mode}.png`), fullPage: true });
      });

      await test.step("one request reached MessageBird, and the audit names its error code", async () => {
        expect(await messagebird.forRecipient(user.recipient)).toHaveLength(1);
        const failed = (await messageEvents(page, since, messagebird)).filter((e) => e.event === "message.failed");
        expect(failed.map((e) => [e.reason, e.details])).toEqual([
          [
            "code:sms",
            { transport: "messagebird", error: failure.error, providerCode: failure.providerCode, httpStatus: failure.httpStatus },
          ],
        ]);
      });

      await test.step("“Opnieuw proberen” sends again at once, and with MessageBird back the code works", async () => {
        await messagebird.setMode("ok");
        await page.getByRole("button", { name: t.recover.resend }).click();
        const [, again] = await messagebird.forRecipient(user.recipient, 2);
        await expectStep(page, portal, inspect, "code");
        await enterCode(page, portal, codeFrom(again!));
        await expectStep(page, portal, inspect, "password");
        // Seconds after the failure (instead of a fixed wait before the retry): nothing tried again behind the scenes,
        // so MessageBird saw the failed request and the retry, no more.
        expect(await messagebird.forRecipient(user.recipient)).toHaveLength(2);
      });
    },
  );
}

test(
  "during an outage a wrong number sees the same message and nothing is sent; the other method can be chosen at once",
  { tag: "@no-js" },
  async ({ page, portal, inspect, messagebird }) => {
    const { t } = portal;
    const user = providerUser(portal.project);
    const wrongNumber = unregisteredMobile(portal.project).typed;
    await messagebird.setMode("500");

    const expectCouldNotSend = async () => {
      const notice = page
        .getByRole("main")
        .getByRole("alert")
        .filter({ hasText: t.message("Delivery.failed") });
      if (!portal.js) await reloadUntilVisible(page, notice);
      await expect(notice).toBeVisible({ timeout: DELIVERY_SETTLES_MS + 5_000 });
    };

    await walkToCode(page, portal, inspect, { userId: user.email, typed: user.mobile });
    await expectCouldNotSend();
    expect(await messagebird.forRecipient(user.recipient)).toHaveLength(1);

    await walkToCode(page, portal, inspect, { userId: unknownUserId(portal.project), typed: wrongNumber });
    await expectCouldNotSend();
    expect(await messagebird.requests()).toHaveLength(1);

    await page.getByRole("button", { name: t.recover.otherMethod }).click();
    await expectStep(page, portal, inspect, "verify");
    await messagebird.setMode("ok");
    await submitNumber(page, portal, "voice", wrongNumber);
    // No cooldown stood in the way; the number did not match, so still nothing was sent.
    await expectStep(page, portal, inspect, "code");
    expect(await messagebird.requests()).toHaveLength(1);
  },
);
