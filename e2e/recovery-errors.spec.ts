// The recovery wizard's negative paths in the browser: wrong CAPTCHA, steps opened out of order, "Annuleren" at every
// step, wrong code, resend during the cooldown, every password rule, and an unknown user ID walking the same pages.
import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test, type Portal } from "./fixtures/portal";
import { codeIn, messagesTo, phone } from "./fixtures/outbox";
import {
  chooseReason,
  choosePassword,
  enterCode,
  errorSummary,
  expectStep,
  fillIdentify,
  flowCookie,
  inspectOnce,
  maskedNumber,
  replayCookie,
  stepPaths,
  submitNumber,
  type Inspect,
  type StepName,
} from "./fixtures/recovery";
import { e2eUser, unknownUserId, unregisteredMobile, type E2eUser } from "./fixtures/users";

/** Walks a known user from the identify page to `until` (reset path, SMS to the registered number). */
async function walkTo(page: Page, portal: Portal, inspect: Inspect, request: APIRequestContext, user: E2eUser, until: StepName) {
  const inbox = await phone(request, user.recipient);
  await page.goto(`/${portal.language}/recover`);
  await expectStep(page, portal, inspect, "identify");
  if (until === "identify") return;
  await fillIdentify(page, portal, user.email);
  await expectStep(page, portal, inspect, "reason");
  if (until === "reason") return;
  await chooseReason(page, portal, "reset");
  await expectStep(page, portal, inspect, "verify");
  if (until === "verify") return;
  await submitNumber(page, portal, "sms", user.mobile);
  await expectStep(page, portal, inspect, "code");
  // Every walk that reaches the code step is sent a code; reading it keeps this phone's next message in step.
  const code = codeIn(await inbox.next({ purpose: "code", channel: "sms" }));
  if (until === "code") return code;
  await enterCode(page, portal, code);
  await expectStep(page, portal, inspect, "password");
  return code;
}

test("a wrong CAPTCHA answer shows an error and a new picture, and keeps the user ID; “Nieuwe code” gives another picture", async ({
  page,
  request,
  portal,
  inspect,
}) => {
  const { language: lang, t } = portal;
  const userId = unknownUserId(portal.project);
  await page.goto(`/${lang}/recover`);
  await expect(page).toHaveURL(`/${lang}/recover`);
  await expect(page.getByRole("note")).toHaveText(t.message("Common.testModeBanner"));
  const picture = page.getByRole("main").getByRole("img", { name: t.message("Recovery.identify.captchaImageAlt") });
  const first = (await picture.getAttribute("src"))!;
  expect(first).toMatch(/^\/api\/captcha\/image\?t=./);
  const image = await request.get(first);
  expect(image.status()).toBe(200);
  expect(image.headers()["content-type"]).toMatch(/^image\//);

  // Letter case matters: the right characters in the wrong case are wrong.
  await fillIdentify(page, portal, userId, "aDe4Rt");
  const wrong = t.message("Recovery.identify.errors.captchaWrong");
  await expect(page.getByRole("main").getByRole("alert")).toContainText(wrong);
  expect(await errorSummary(page)).toEqual([wrong]);
  await expect(page.getByLabel(t.recover.captcha, { exact: true })).toHaveAccessibleDescription(
    new RegExp(wrong.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")),
  );
  await expect(page).toHaveURL(`/${lang}/recover`);
  await expect(picture).not.toHaveAttribute("src", first);
  await expect(page.getByLabel(t.recover.userId, { exact: true })).toHaveValue(userId);
  await expect(page.getByLabel(t.recover.captcha, { exact: true })).toHaveValue("");
  await inspect(page);

  const second = (await picture.getAttribute("src"))!;
  await page.getByRole("button", { name: t.recover.newCode }).click();
  await expect(picture).not.toHaveAttribute("src", second);
  await expect(page.getByLabel(t.recover.userId, { exact: true })).toHaveValue(userId);
  expect(await errorSummary(page)).toEqual([]);

  // The newest picture's characters are accepted.
  await fillIdentify(page, portal, userId);
  await expectStep(page, portal, inspect, "reason");
});

test("a later step's address opened directly leads to the identify page without a flow, and to the reason page with one", async ({
  page,
  portal,
  inspect,
}) => {
  const { language: lang } = portal;
  const later: StepName[] = ["reason", "verify", "code", "password", "done", "ended"];
  for (const step of later) {
    await page.goto(`/${lang}${stepPaths[step]}`);
    await expect(page, `${stepPaths[step]} without a flow`).toHaveURL(`/${lang}/recover`);
  }
  await expectStep(page, portal, inspect, "identify");

  await fillIdentify(page, portal, unknownUserId(portal.project));
  await expectStep(page, portal, inspect, "reason");
  for (const step of later.slice(1)) {
    await page.goto(`/${lang}${stepPaths[step]}`);
    await expect(page, `${stepPaths[step]} with a flow at the reason step`).toHaveURL(`/${lang}/recover/reason`);
  }
  // The flow is still usable where it really is.
  await chooseReason(page, portal, "unlock");
  await expectStep(page, portal, inspect, "verify");
});

// Each cancel walks from the start to its step on its own (up to five pages and a code by SMS), so each is a test with
// its own time budget: as one test, the five walks did not fit one test's 60 s on a loaded 2-core machine (issue 14).
// They share the project's "cancel" user and read its phone, so they run one after another, in this order.
test.describe("“Annuleren” returns to sign-in; the flow is over, even for an old tab's cookie", () => {
  test.describe.configure({ mode: "default" });
  const next: Record<string, StepName> = { identify: "reason", reason: "verify", verify: "code", code: "password", password: "done" };

  for (const step of ["identify", "reason", "verify", "code", "password"] as const) {
    test(`at the ${step} step`, async ({ page, context, request, portal, inspect }) => {
      const { language: lang, t } = portal;
      const user = e2eUser("cancel", portal.project);
      // The identify page comes twice (the walk's start, and where a step's address leads after the cancel): checked once.
      const check = inspectOnce(inspect);

      await walkTo(page, portal, check, request, user, step);
      if (step === "identify") await page.getByLabel(t.recover.userId, { exact: true }).fill(user.email);
      const cookie = await flowCookie(context);
      expect(Boolean(cookie), `a flow cookie at ${step}`).toBe(step !== "identify");

      await page
        .getByRole("main")
        .getByRole(step === "identify" ? "link" : "button", { name: t.recover.cancel, exact: true })
        .click();
      await expect(page).toHaveURL(`/${lang}`);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(t.signIn.title);
      await check(page);

      // This browser has no flow any more: the next step's page sends it to the start.
      await page.goto(`/${lang}${stepPaths[next[step]!]}`);
      await expectStep(page, portal, check, "identify");

      // An old tab still holding the flow's cookie finds the flow ended, not where it was.
      if (cookie) {
        await replayCookie(context, cookie);
        await page.goto(`/${lang}${stepPaths[step]}`);
        await expectStep(page, portal, check, "ended");
        await expect(page.getByRole("main").getByRole("status")).toHaveText(t.message("Recovery.ended.reasons.cancelled"));
      }
    });
  }
});

test("code step: a wrong code says how many tries are left, “Opnieuw proberen” waits out the cooldown; password step: every broken rule is named", async ({
  page,
  request,
  portal,
  inspect,
}) => {
  const { language: lang, t } = portal;
  const user = e2eUser("code", portal.project);
  const code = (await walkTo(page, portal, inspect, request, user, "code"))!;
  const inbox = await phone(request, user.recipient);

  await test.step("a wrong code", async () => {
    const wrongCode = code.slice(0, 5) + ((Number(code[5]) + 1) % 10);
    await enterCode(page, portal, wrongCode);
    const wrong = t.message("Recovery.code.errors.wrong-code", { attemptsLeft: 4 });
    await expect(page.getByRole("main").getByRole("alert")).toContainText(wrong);
    expect(await errorSummary(page)).toEqual([wrong]);
    await expect(page.getByText(t.message("Recovery.code.noCodeHint"))).toBeVisible();
    await expect(page).toHaveURL(`/${lang}/recover/code`);
    await inspect(page);
  });

  await test.step("“Opnieuw proberen” during the cooldown", async () => {
    const before = await inbox.count();
    const resend = page.getByRole("button", { name: t.recover.resend, exact: true });
    if (portal.js) {
      await expect(resend).toBeDisabled();
      await expect(page.getByText(t.messagePattern("Recovery.code.resendWait", "seconds"))).toBeVisible();
    } else {
      // Nothing can re-enable a disabled button without JavaScript: CSS mutes it and it takes no clicks for the wait;
      // the keyboard still reaches it, and the server answers with the wait.
      await expect(resend).toBeEnabled();
      await expect(resend).toHaveCSS("pointer-events", "none");
      await resend.focus();
      await page.keyboard.press("Enter");
      await expect(page.getByRole("main").getByRole("alert")).toContainText(t.messagePattern("Recovery.code.errors.cooldown", "seconds"));
      await expect(page).toHaveURL(`/${lang}/recover/code`);
    }
    expect(await inbox.count(), "no new code during the cooldown").toBe(before);
  });

  await test.step("the right code still works", async () => {
    await enterCode(page, portal, code);
    await expectStep(page, portal, inspect, "password");
  });

  const rule = (name: string) => page.locator(`li[data-rule="${name}"]`);
  const checklist = ["length", "uppercase", "digit", "lastName", "guessable", "history", "confirmation"];

  await test.step("the checklist before typing", async () => {
    for (const name of checklist) await expect(rule(name)).toHaveAttribute("data-status", "unknown");
  });

  if (portal.js) {
    await test.step("with JavaScript the checklist ticks off while typing", async () => {
      const password = page.getByLabel(t.recover.newPassword);
      const confirmation = page.getByLabel(t.recover.confirmPassword);
      await password.fill("Voorbeeld");
      await expect(rule("length")).toHaveAttribute("data-status", "met");
      await expect(rule("uppercase")).toHaveAttribute("data-status", "met");
      await expect(rule("digit")).toHaveAttribute("data-status", "unmet");
      await expect(rule("lastName")).toHaveAttribute("data-status", "met");
      // Only the server has the dictionaries: "not guessable" is never ticked off in the browser.
      await expect(rule("guessable")).toHaveAttribute("data-status", "unknown");
      await expect(rule("history")).toHaveAttribute("data-status", "unknown");
      await expect(rule("confirmation")).toHaveAttribute("data-status", "unknown");
      await password.fill(`Voorbeeld7${user.lastName.toLowerCase()}`);
      await expect(rule("digit")).toHaveAttribute("data-status", "met");
      await expect(rule("lastName")).toHaveAttribute("data-status", "unmet");
      // The organisation's name is known in the page: the checklist marks it while typing.
      await password.fill("Flynth2026!");
      await expect(rule("guessable")).toHaveAttribute("data-status", "unmet");
      await password.fill("Voorbeeld7");
      await expect(rule("guessable")).toHaveAttribute("data-status", "unknown");
      await confirmation.fill("Voorbeeld8");
      await expect(rule("confirmation")).toHaveAttribute("data-status", "unmet");
      await confirmation.fill("Voorbeeld7");
      await expect(rule("confirmation")).toHaveAttribute("data-status", "met");
      await expect(rule("lastName")).toHaveAttribute("data-status", "met");
    });
  }

  const cases: { title: string; password: string; confirmation?: string; broken: string[] }[] = [
    {
      title: "too short, no upper-case letter, no digit, not confirmed",
      password: "kort",
      confirmation: "korter",
      broken: ["length", "uppercase", "digit", "confirmation"],
    },
    { title: "contains the last name (any case)", password: `X7${user.lastName.toUpperCase()}x`, broken: ["lastName"] },
    { title: "used before (the current password)", password: user.password, broken: ["history"] },
    // Meets every rule the browser can check; the server knows it as a common password, marks the checklist's line and
    // names the reason under the field.
    { title: "a common password with a capital and a digit", password: "Wachtwoord1", broken: ["guessable", "common"] },
    { title: "longer than 128 characters", password: `A1${"b".repeat(127)}`, broken: ["maxLength"] },
  ];
  for (const c of cases) {
    await test.step(c.title, async () => {
      await choosePassword(page, portal, c.password, c.confirmation ?? c.password);
      // Each broken rule is said once: the checklist marks it, a rule without a line there is named under the field,
      // and the summary only points to the field(s).
      const expected = [
        ...(c.broken.some((name) => name !== "confirmation") ? [t.message("Recovery.password.errors.rulesBroken")] : []),
        ...(c.broken.includes("confirmation") ? [t.message("Recovery.password.errors.confirmation")] : []),
      ];
      // Wait for this submit's answer: the previous case left a summary that may already contain expected[0].
      await expect.poll(() => errorSummary(page)).toEqual(expected);
      for (const name of c.broken) {
        if (checklist.includes(name)) await expect(rule(name)).toHaveAttribute("data-status", "unmet");
        else await expect(page.locator("#password-error")).toContainText(t.message(`Recovery.password.errors.${name}`));
      }
      await expect(page).toHaveURL(`/${lang}/recover/password`);
    });
  }
  if (portal.js) {
    await test.step("after a rejected submit the checklist judges only what is typed now", async () => {
      await page.getByLabel(t.recover.newPassword).fill("Voorbeeld7");
      await page.getByLabel(t.recover.confirmPassword).fill("");
      await expect(rule("length")).toHaveAttribute("data-status", "met");
      await expect(rule("confirmation")).toHaveAttribute("data-status", "unknown");
    });
    await test.step("typing under an error summary keeps the focus in the field (the checklist re-renders the form)", async () => {
      const field = page.getByLabel(t.recover.newPassword);
      await field.clear();
      await field.pressSequentially("Voorbeeld8", { delay: 30 });
      await expect(rule("length")).toHaveAttribute("data-status", "met");
      await expect(field).toBeFocused();
      await expect(field).toHaveValue("Voorbeeld8");
    });
  }
  await inspect(page);
});

test("an unknown user ID walks the same pages with the same masked digits every time; its code fails and nothing is sent", async ({
  page,
  context,
  request,
  portal,
  inspect,
}) => {
  const { language: lang, t } = portal;
  const userId = unknownUserId(portal.project);
  const typed = unregisteredMobile(portal.project);
  const check = inspectOnce(inspect);

  const walk = async () => {
    await page.goto(`/${lang}/recover`);
    await expectStep(page, portal, check, "identify");
    await fillIdentify(page, portal, userId);
    await expectStep(page, portal, check, "reason");
    await chooseReason(page, portal, "reset");
    await expectStep(page, portal, check, "verify");
    const masked = await maskedNumber(page);
    await submitNumber(page, portal, "sms", typed.typed);
    await expectStep(page, portal, check, "code");
    await expect(page.getByText(t.recover.sentSms)).toBeVisible();
    await enterCode(page, portal, "123456");
    const wrong = t.message("Recovery.code.errors.wrong-code", { attemptsLeft: 4 });
    await expect(page.getByRole("main").getByRole("alert")).toContainText(wrong);
    await expect(page).toHaveURL(`/${lang}/recover/code`);
    return masked;
  };

  const first = await walk();
  await inspect(page);
  // A separate walk: a new browser session typing the same user ID.
  await context.clearCookies();
  const second = await walk();
  expect(first).toMatch(/^\*{5}\d{2}$/);
  expect(second, "the masked digits for the same typed ID").toBe(first);
  expect(await messagesTo(request, typed.recipient), "messages to the typed number").toEqual([]);
});
