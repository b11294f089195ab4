// The wizard says only what is true (issue 12): no success after the flow was done, the same honest code page for a
// matching number, a wrong one and a user without a mobile, a mistyped number corrected without a false wait, messages in
// the page's language, a password form that keeps what is safe to keep and names each broken rule once.
import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, journeyStep, test, type Portal } from "./fixtures/portal";
import { codeIn, phone } from "./fixtures/outbox";
import {
  choosePassword,
  chooseReason,
  enterCode,
  expectStep,
  fillIdentify,
  inspectOnce,
  submitNumber,
  type Inspect,
  type Intent,
} from "./fixtures/recovery";
import { attemptSignIn, signIn } from "./fixtures/sign-in";
import { texts } from "./fixtures/texts";
import { e2eUser } from "./fixtures/users";

/** A new password nobody used before, also on a database reused from an earlier run. */
const freshPassword = () => `Eerlijk-${randomBytes(4).toString("hex")}-7Q`;

/** A valid Dutch mobile number no e2e user has. */
const strangerNumber = (portal: Portal) =>
  `06-1234${{ "nl-js": "9541", "en-js": "9542", "nl-nojs": "9543", "en-nojs": "9544" }[portal.project]}`;

/** The number as a user types it: 06-12345623. */
const national = (recipient: string) => `0${recipient.slice(3)}`;

/** Identify → reason → number; ends on the code page. */
async function toCodePage(page: Page, portal: Portal, inspect: Inspect, userId: string, intent: Intent, typed: string) {
  await page.goto(`/${portal.language}/recover`);
  await expectStep(page, portal, inspect, "identify");
  await fillIdentify(page, portal, userId);
  await expectStep(page, portal, inspect, "reason");
  await chooseReason(page, portal, intent);
  await expectStep(page, portal, inspect, "verify");
  await submitNumber(page, portal, "sms", typed);
  await expectStep(page, portal, inspect, "code");
}

test("Back after done, then Voltooien: no success is claimed, and only the first password signs in", async ({
  page,
  context,
  request,
  portal,
  inspect,
}) => {
  const { language: lang, t } = portal;
  const user = e2eUser("done", portal.project);
  const inbox = await phone(request, user.recipient);
  const [first, second] = [freshPassword(), freshPassword()];

  await journeyStep("to the password step, by the SMS code", async () => {
    await toCodePage(page, portal, inspect, user.email, "reset", national(user.recipient));
    await enterCode(page, portal, codeIn(await inbox.next({ purpose: "code", channel: "sms" })));
    await expectStep(page, portal, inspect, "password");
  });
  // An old tab of the same browser on the password step, as a Back button can bring it back.
  const oldTab = await context.newPage();
  await journeyStep("an old tab on the password step; the first password chosen: done", async () => {
    await oldTab.goto(`/${lang}/recover/password`);
    await expectStep(oldTab, portal, inspect, "password");
    await choosePassword(page, portal, first);
    await expectStep(page, portal, inspect, "done");
    await expect(page.getByRole("status")).toContainText(t.recover.doneReset);
    // The done page (and every wizard page) is never stored: Back cannot bring back a live copy from the HTTP cache.
    expect((await page.request.get(`/${lang}/recover/done`)).headers()["cache-control"]).toContain("no-store");
  });

  await journeyStep("Back: no live-looking form whose submit claims success", async () => {
    await page.goBack();
    await page.waitForLoadState("load");
    if (portal.js) {
      // The client router restores the password form from its own history; its submit reaches the server, which finds
      // the flow done and answers with the ended page: nothing was saved, no success is claimed.
      await expect(page.getByLabel(t.recover.newPassword)).toBeVisible();
      await choosePassword(page, portal, second);
      await expectStep(page, portal, inspect, "ended");
      await expect(page.getByRole("status")).toContainText(t.message("Recovery.ended.finished.reset"));
      await expect(page.getByText(t.recover.doneReset)).toHaveCount(0);
    } else {
      // No page is stored (no-store), so the browser asks for the password page again; the flow is done, so the server
      // sends it to the done page of the reset that really happened. That success is true (the first password signs
      // in, below) and there is no form on it to submit.
      await expect(page).toHaveURL(`/${lang}/recover/done`);
      await expect(page.getByLabel(t.recover.newPassword)).toHaveCount(0);
      await expect(page.getByRole("status")).toContainText(t.recover.doneReset);
      await inspect(page);
    }
  });

  await journeyStep("the old tab's Voltooien: the flow has ended, nothing was changed, start again is offered", async () => {
    await choosePassword(oldTab, portal, second);
    await expectStep(oldTab, portal, inspect, "ended");
    const status = oldTab.getByRole("status");
    await expect(status).toContainText(t.message("Recovery.ended.finished.reset"));
    await expect(status).toContainText(t.message("Recovery.ended.finished.resetNext"));
    await expect(oldTab.getByText(t.recover.doneReset)).toHaveCount(0);
    await expect(oldTab.getByRole("link", { name: t.message("Recovery.ended.restart") })).toHaveAttribute("href", `/${lang}/recover`);
  });

  await journeyStep("the second password does not sign in; the first does", async () => {
    await page.goto(`/${lang}`);
    await inspect(page);
    expect((await attemptSignIn(page, portal, user.email, second)).messages).toEqual([t.errors.invalid]);
    await signIn(page, portal, user.email, first);
    await expect(page).toHaveURL(`/${lang}/home`);
    await inspect(page);
  });
  await oldTab.close();
});

test("the code page is the same honest page for a matching number, a wrong number and a user without a mobile", async ({
  page,
  request,
  portal,
  inspect,
}) => {
  const { t } = portal;
  const check = inspectOnce(inspect);
  const user = e2eUser("honest", portal.project);
  const noMobile = e2eUser("nomobile", portal.project);
  const inbox = await phone(request, user.recipient);
  const before = await inbox.count();
  const pages: string[] = [];

  for (const [userId, typed] of [
    [user.email, national(user.recipient)],
    [user.email, strangerNumber(portal)],
    [noMobile.email, strangerNumber(portal)],
  ] as const) {
    await toCodePage(page, portal, check, userId, "reset", typed);
    const main = page.getByRole("main");
    // "Als dit nummer bij uw account hoort, ontvangt u binnen een minuut een code": no send is claimed.
    await expect(main).toContainText(t.recover.sentSms);
    await expect(main).not.toContainText(portal.language === "nl" ? "verzonden" : "We've sent");
    // What to do if nothing arrives, at once (not only after a wrong code).
    await expect(page.getByText(t.message("Recovery.code.noCodeHint"))).toBeVisible();
    await expect(main.getByRole("alert")).toHaveCount(0);
    pages.push((await main.innerText()).replace(/\d+/g, "#"));
  }
  expect(pages[1], "a wrong number's page").toBe(pages[0]);
  expect(pages[2], "the page of a user without a mobile").toBe(pages[0]);
  // Only the matching number got a code (its delivery ran long before the third page was shown).
  await inbox.next({ purpose: "code", channel: "sms" });
  expect(await inbox.count()).toBe(before + 1);

  // The development outbox says which time zone its times are in.
  const html = await (await request.get("/dev/outbox")).text();
  const time = /<time dateTime="([^"]+)">([^<]+)<\/time>/i.exec(html);
  expect(time, "a <time> in the outbox").not.toBeNull();
  expect(time![1]).toMatch(/Z$/);
  expect(time![2]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
});

test("a mistyped number: the field keeps it for correcting, and the right number sends one code at once", async ({
  page,
  request,
  portal,
  inspect,
}) => {
  const { t } = portal;
  const user = e2eUser("fixnum", portal.project);
  const inbox = await phone(request, user.recipient);
  const before = await inbox.count();
  const wrong = strangerNumber(portal);

  await toCodePage(page, portal, inspect, user.email, "reset", wrong);
  await page.getByRole("button", { name: t.recover.otherMethod }).click();
  await expectStep(page, portal, inspect, "verify");
  await expect(page.getByLabel(t.recover.phone, { exact: true })).toHaveValue(wrong);

  await submitNumber(page, portal, "sms", national(user.recipient));
  // Straight on to the code page: no "U kunt over N seconden opnieuw …" for a number that got nothing.
  await expectStep(page, portal, inspect, "code");
  const sms = await inbox.next({ purpose: "code", channel: "sms" });
  expect(await inbox.count(), "exactly one code").toBe(before + 1);
  await enterCode(page, portal, codeIn(sms));
  await expectStep(page, portal, inspect, "password");
});

test("a language switch mid-flow: the code and the confirmation come in the language of the page they were asked on", async ({
  page,
  request,
  portal,
  inspect,
}) => {
  const other = portal.language === "nl" ? "en" : "nl";
  const switched: Portal = { ...portal, language: other, t: texts[other] };
  const user = e2eUser("lang", portal.project);
  const inbox = await phone(request, user.recipient);
  const check = inspectOnce(inspect);

  await page.goto(`/${portal.language}/recover`);
  await expectStep(page, portal, check, "identify");
  await fillIdentify(page, portal, user.email);
  await expectStep(page, portal, check, "reason");
  await chooseReason(page, portal, "unlock");
  await expectStep(page, portal, check, "verify");
  // The header's language switch (the progress steps are a navigation landmark too).
  await page
    .getByRole("navigation", { name: portal.t.message("Common.language") })
    .getByRole("link", { name: portal.t.switchTo })
    .click();
  await expectStep(page, switched, check, "verify");

  await submitNumber(page, switched, "sms", national(user.recipient));
  await expectStep(page, switched, check, "code");
  const sms = await inbox.next({ purpose: "code", channel: "sms" });
  const code = codeIn(sms);
  expect(sms.body).toBe(texts[other].message("Sms.code", { org: "Flynth", code, minutes: 10 }));
  await enterCode(page, switched, code);
  await expectStep(page, switched, check, "done");
  const confirmation = await inbox.next({ purpose: "notification", channel: "sms" });
  expect(confirmation.body).toBe(texts[other].message("Sms.accountUnlocked", { org: "Flynth", helpdesk: "+31 88 236 00 00" }));
});

test("the contact page shows the opening hours in the page's language", async ({ page, portal, inspect }) => {
  await page.goto(`/${portal.language}/recover/contact`);
  await inspect(page);
  await expect(page.getByRole("main")).toContainText(portal.language === "nl" ? "ma–vr 08:00–17:30" : "Mon–Fri 08:00–17:30");
  await expect(page.getByRole("main")).not.toContainText(portal.language === "nl" ? "Mon–Fri" : "ma–vr");
});

test("the password form keeps the new password when only the confirmation differed, and says each broken rule once", async ({
  page,
  request,
  portal,
  inspect,
}) => {
  const { t } = portal;
  const user = e2eUser("pwkeep", portal.project);
  const inbox = await phone(request, user.recipient);
  const check = inspectOnce(inspect);
  const password = page.getByLabel(t.recover.newPassword);
  const confirmation = page.getByLabel(t.recover.confirmPassword);
  const summaryItems = page.getByRole("main").getByRole("alert").getByRole("listitem");
  const newPassword = freshPassword();

  await toCodePage(page, portal, check, user.email, "reset", national(user.recipient));
  await enterCode(page, portal, codeIn(await inbox.next({ purpose: "code", channel: "sms" })));
  await expectStep(page, portal, check, "password");

  await test.step("only the confirmation differs: the first field keeps the password", async () => {
    await choosePassword(page, portal, newPassword, `${newPassword}x`);
    await expect(summaryItems).toHaveText([t.message("Recovery.password.errors.confirmation")]);
    await expect(password).toHaveValue(newPassword);
    // With JavaScript nothing leaves the browser, so the confirmation stays too; without it, it is typed again.
    await expect(confirmation).toHaveValue(portal.js ? `${newPassword}x` : "");
    await expect(page.locator('li[data-rule="confirmation"]')).toHaveAttribute("data-status", "unmet");
    await expect(page.getByText(t.message("Recovery.password.errors.confirmation"))).toHaveCount(1);
  });

  await test.step("a broken rule is named once: the checklist marks it, the summary points to the field", async () => {
    await choosePassword(page, portal, "Zonderenigcijfer", "Zonderenigcijfer");
    await expect(summaryItems).toHaveText([t.message("Recovery.password.errors.rulesBroken")]);
    await expect(page.locator('li[data-rule="digit"]')).toHaveAttribute("data-status", "unmet");
    const main = page.getByRole("main");
    await expect(main.getByText(t.message("Recovery.password.rules.digit"))).toHaveCount(1);
    await expect(main.getByText(t.message("Recovery.password.errors.digit"))).toHaveCount(0);
    await check(page);
  });

  await test.step("then the right password: done", async () => {
    await password.fill("");
    await confirmation.fill("");
    await choosePassword(page, portal, newPassword);
    await expectStep(page, portal, check, "done");
  });
});
