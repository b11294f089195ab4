// Seed screens 1–7 end to end: a password reset by SMS and an account unlock by phone call, reading the codes from the
// outbox, and what they change (which password signs in, which session survives). Each journey's steps have budgets of
// their own (journeyStep).
import { randomBytes } from "node:crypto";
import { expect, journeyStep, test } from "./fixtures/portal";
import { codeIn, phone } from "./fixtures/outbox";
import { chooseReason, choosePassword, enterCode, expectStep, fillIdentify, maskedNumber, submitNumber } from "./fixtures/recovery";
import { attemptSignIn, signIn } from "./fixtures/sign-in";
import { e2eUser } from "./fixtures/users";

const WRONG = "Verkeerd-wachtwoord-1";
// The portal's defaults (lib/config.ts): the notification SMS names them.
const ORG = "Flynth";
const HELPDESK = "+31 88 236 00 00";

/** A new password nobody used before, also on a database reused from an earlier run. */
const freshPassword = () => `Nieuw-${randomBytes(4).toString("hex")}-7Q`;

test("reset: help link, user ID, SMS code from the outbox, new password; the old password and the earlier session stop working", async ({
  page,
  browser,
  request,
  portal,
  inspect,
}) => {
  const { language: lang, t } = portal;
  const user = e2eUser("reset", portal.project);
  const newPassword = freshPassword();
  const inbox = await phone(request, user.recipient);

  // The same user, signed in in another browser before the reset.
  const earlier = await browser.newContext();
  const earlierPage = await earlier.newPage();
  await journeyStep("signed in in another browser", async () => {
    await earlierPage.goto(`/${lang}`);
    await signIn(earlierPage, portal, user.email, user.password);
    await expect(earlierPage).toHaveURL(`/${lang}/home`);
  });

  await journeyStep("sign-in → help → identify", async () => {
    await page.goto(`/${lang}`);
    await inspect(page);
    await page.getByRole("link", { name: t.signIn.forgot }).click();
    await expect(page).toHaveURL(`/${lang}/help`);
    await inspect(page);
    await page.getByRole("main").getByRole("link", { name: t.help.reset, exact: true }).click();
    await expectStep(page, portal, inspect, "identify", "?intent=reset");
    await expect(page.getByRole("note")).toHaveText(t.message("Common.testModeBanner"));
    await expect(page.getByLabel(t.recover.speaker, { exact: true })).toBeVisible();
    await expect(page.getByRole("button", { name: t.recover.newCode })).toBeVisible();
  });

  await journeyStep("identify → reason (reset pre-selected by the help link)", async () => {
    await fillIdentify(page, portal, user.email);
    await expectStep(page, portal, inspect, "reason");
    await expect(page.getByRole("radio", { name: t.recover.reset })).toBeChecked();
    await chooseReason(page, portal, "reset");
  });

  await journeyStep("verify: the registered number's last two digits; the full number in another notation; SMS", async () => {
    await expectStep(page, portal, inspect, "verify");
    const progress = page.getByRole("navigation", { name: t.message("Recovery.progress.label") });
    await expect(progress).toContainText(t.recover.progress.verify);
    await expect(progress).toContainText(t.recover.progress.reset);
    expect(await maskedNumber(page)).toBe(`*****${user.recipient.slice(-2)}`);
    // +31612345623 typed as +31 6 1234 5623.
    const typed = `+31 6 ${user.recipient.slice(4, 8)} ${user.recipient.slice(8)}`;
    await submitNumber(page, portal, "sms", typed);
  });

  await journeyStep("code: read from the outbox (SMS to the registered number)", async () => {
    await expectStep(page, portal, inspect, "code");
    await expect(page.getByText(t.recover.sentSms)).toBeVisible();
    const sms = await inbox.next({ purpose: "code", channel: "sms" });
    await enterCode(page, portal, codeIn(sms));
  });

  await journeyStep("password: verification ticked off; the new password is accepted", async () => {
    await expectStep(page, portal, inspect, "password");
    await expect(page.getByRole("navigation", { name: t.message("Recovery.progress.label") })).toContainText("✓");
    await choosePassword(page, portal, newPassword);
    await expectStep(page, portal, inspect, "done");
    await expect(page.getByRole("status")).toContainText(t.recover.doneReset);
    const notification = await inbox.next({ purpose: "notification", channel: "sms" });
    expect(notification.body).toBe(t.message("Sms.passwordChanged", { org: ORG, helpdesk: HELPDESK }));
  });

  await journeyStep("a finished flow cannot be walked again", async () => {
    await page.goto(`/${lang}/recover/password`);
    await expect(page).toHaveURL(`/${lang}/recover/done`);
    await page.getByRole("link", { name: t.message("Recovery.done.signIn") }).click();
    await expect(page).toHaveURL(`/${lang}`);
  });

  await journeyStep("the old password is refused, the new one opens the Werkplek", async () => {
    const old = await attemptSignIn(page, portal, user.email, user.password);
    expect(old.messages).toEqual([t.errors.invalid]);
    await signIn(page, portal, user.email, newPassword);
    await expect(page).toHaveURL(`/${lang}/home`);
    await expect(page.getByText(t.home.welcome(`${user.firstName} ${user.lastName}`))).toBeVisible();
    await inspect(page);
  });

  await journeyStep("the session signed in before the reset has ended", async () => {
    await earlierPage.goto(`/${lang}/home`);
    await expect(earlierPage).toHaveURL(`/${lang}?ended=1`);
    await expect(earlierPage.getByRole("heading", { level: 1 })).toHaveText(t.signIn.title);
    await expect(earlierPage.getByRole("status")).toHaveText(t.message("SignInPage.sessionEnded"));
    await earlier.close();
  });
});

test("unlock by phone call: a locked account is unlocked after the spoken code and the old password signs in again", async ({
  page,
  request,
  portal,
  inspect,
}) => {
  const { language: lang, t } = portal;
  const user = e2eUser("unlock", portal.project);
  const inbox = await phone(request, user.recipient);

  await journeyStep("five wrong passwords lock the account", async () => {
    await page.goto(`/${lang}`);
    await inspect(page);
    for (let attempt = 1; attempt <= 5; attempt++) await attemptSignIn(page, portal, user.email, WRONG);
    const right = await attemptSignIn(page, portal, user.email, user.password);
    expect(right.messages, "the right password on the locked account").toEqual([t.errors.locked]);
  });

  await journeyStep("sign-in → help → identify (unlock) → reason (unlock pre-selected)", async () => {
    await page.getByRole("main").getByRole("link", { name: t.signIn.forgot }).first().click();
    await expect(page).toHaveURL(`/${lang}/help`);
    await inspect(page);
    await page.getByRole("main").getByRole("link", { name: t.help.unlock, exact: true }).click();
    await expectStep(page, portal, inspect, "identify", "?intent=unlock");
    await fillIdentify(page, portal, user.email);
    await expectStep(page, portal, inspect, "reason");
    await expect(page.getByRole("radio", { name: t.recover.unlock })).toBeChecked();
    await chooseReason(page, portal, "unlock");
  });

  await journeyStep("verify: choosing the call turns “Tekst” into “Bellen” (CSS only)", async () => {
    await expectStep(page, portal, inspect, "verify");
    await expect(page.getByRole("navigation", { name: t.message("Recovery.progress.label") })).toContainText(t.recover.progress.unlock);
    const masked = await maskedNumber(page);
    expect(masked).toBe(`*****${user.recipient.slice(-2)}`);
    await expect(page.getByRole("button", { name: t.recover.text, exact: true })).toBeVisible();
    await page.getByRole("radio", { name: t.recover.voice }).check();
    await expect(page.getByRole("button", { name: t.recover.call, exact: true })).toBeVisible();
    await expect(page.getByRole("button", { name: t.recover.text, exact: true })).toBeHidden();
    await expect(page.getByText(t.message("Recovery.verify.instruction", { masked, channel: "voice", intent: "unlock" }))).toBeVisible();
    // +31612345627 typed as 0031612345627.
    await submitNumber(page, portal, "voice", `00${user.recipient.slice(1)}`);
  });

  await journeyStep("code: the call's script in the outbox says the code digit by digit", async () => {
    await expectStep(page, portal, inspect, "code");
    await expect(page.getByText(t.recover.sentVoice)).toBeVisible();
    const call = await inbox.next({ purpose: "code", channel: "voice" });
    const code = codeIn(call);
    expect(call.body).toContain(code.split("").join(", "));
    await enterCode(page, portal, code);
  });

  await journeyStep("done: unlocked, with a confirmation SMS", async () => {
    await expectStep(page, portal, inspect, "done");
    await expect(page.getByRole("status")).toContainText(t.recover.doneUnlock);
    const notification = await inbox.next({ purpose: "notification", channel: "sms" });
    expect(notification.body).toBe(t.message("Sms.accountUnlocked", { org: ORG, helpdesk: HELPDESK }));
  });

  await journeyStep("the old password signs in again", async () => {
    await page.getByRole("link", { name: t.message("Recovery.done.signIn") }).click();
    await expect(page).toHaveURL(`/${lang}`);
    await signIn(page, portal, user.email, user.password);
    await expect(page).toHaveURL(`/${lang}/home`);
    await inspect(page);
  });
});
