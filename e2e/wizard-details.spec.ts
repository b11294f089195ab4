// The smaller things people ran into (issue 12, item 7): focus after a repeated sign-in error, the lockout message's
// link, 404 for unknown pages, valid form markup, the reason question read once, "Opnieuw proberen" visibly waiting
// without JavaScript, and no "Voorbeeld" under the user ID. (Outbox times: in honest-steps.spec.ts, where a code is
// sure to be in the outbox; the busy state on slow submits: scripted.spec.ts, JavaScript projects only.)
import { randomBytes } from "node:crypto";
import { expect, test } from "./fixtures/portal";
import { chooseReason, expectStep, fillIdentify, inspectOnce, submitNumber } from "./fixtures/recovery";
import { attemptSignIn } from "./fixtures/sign-in";
import { e2eUser } from "./fixtures/users";

/** A user ID nobody has: it walks the same pages as a real one. */
const unknownId = (project: string) => `niemand-${project}-${randomBytes(3).toString("hex")}@flynth.nl`;

test("a second identical sign-in error puts the focus on the error summary again", async ({ page, portal, inspect }) => {
  const { language: lang, t } = portal;
  await page.goto(`/${lang}`);
  await inspect(page);
  const summary = page.getByRole("main").getByRole("alert");
  const userId = unknownId(portal.project);
  for (const attempt of [1, 2]) {
    const answer = await attemptSignIn(page, portal, userId, "Niet-het-wachtwoord-1");
    expect(answer.messages, `attempt ${attempt}`).toEqual([t.errors.invalid]);
    await expect(summary, `focus after attempt ${attempt}`).toBeFocused();
  }
});

test("the lockout message links to “Wachtwoord vergeten of account vergrendeld?”", async ({ page, portal, inspect }) => {
  const { language: lang, t } = portal;
  const user = e2eUser("locklink", portal.project);
  await page.goto(`/${lang}`);
  await inspect(page);
  let answer = { messages: [] as string[] };
  for (let i = 0; i < 6 && answer.messages[0] !== t.errors.locked; i++) {
    answer = await attemptSignIn(page, portal, user.email, `Verkeerd-${i}-wachtwoord`);
  }
  expect(answer.messages).toEqual([t.errors.locked]);
  const link = page.getByRole("main").getByRole("alert").getByRole("link", { name: t.signIn.forgot });
  await expect(link).toHaveAttribute("href", `/${lang}/help`);
  await link.click();
  await expect(page).toHaveURL(`/${lang}/help`);
  await inspect(page);
});

test("unknown pages answer 404 with the not-found page, under a language and without one", async ({ page, request, portal, inspect }) => {
  const { language: lang, t } = portal;
  expect((await request.get(`/${lang}/does-not-exist`)).status()).toBe(404);
  expect((await request.get("/does-not-exist")).status()).toBe(404);
  // Outside the languages' pages too: a short page in both languages, not Next's own English one.
  const api = await request.get("/api/does-not-exist");
  expect(api.status()).toBe(404);
  expect(await api.text()).toContain("Pagina niet gevonden · Page not found");
  const response = await page.goto(`/${lang}/does-not-exist`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(t.notFound.title);
  await inspect(page);
});

test("every wizard form posts to a real address (no empty action or formaction), and the reason question is read once", async ({
  page,
  request,
  portal,
  inspect,
}) => {
  const { language: lang, t } = portal;
  const check = inspectOnce(inspect);
  const empty = /\s(?:action|formaction)=""/i;
  expect(await (await request.get(`/${lang}`)).text(), "sign-in page").not.toMatch(empty);

  await page.goto(`/${lang}/recover`);
  await expectStep(page, portal, check, "identify");
  expect(await page.content(), "identify page").not.toMatch(empty);
  // The hint says what to type, not "Voorbeeld: …".
  await expect(page.getByRole("main")).not.toContainText(lang === "nl" ? "Voorbeeld" : "Example");
  await fillIdentify(page, portal, unknownId(portal.project));

  await expectStep(page, portal, check, "reason");
  expect(await page.content(), "reason page").not.toMatch(empty);
  const question = t.message("Recovery.reason.heading");
  // One element says it: the group's legend is the heading (a screen reader reads it once).
  await expect(page.getByText(question, { exact: true })).toHaveCount(1);
  await expect(page.getByRole("group", { name: question })).toBeVisible();
  await expect(page.getByRole("heading", { name: question, level: 2 })).toBeVisible();
  await chooseReason(page, portal, "reset");

  await expectStep(page, portal, check, "verify");
  expect(await page.content(), "verify page").not.toMatch(empty);
  await submitNumber(page, portal, "sms", "06-12349549");
  await expectStep(page, portal, check, "code");
  expect(await page.content(), "code page").not.toMatch(empty);

  await test.step("“Opnieuw proberen” does not look or act clickable while it waits", async () => {
    const resend = page.getByRole("button", { name: t.recover.resend, exact: true });
    if (portal.js) {
      await expect(resend).toBeDisabled();
    } else {
      // Nothing can re-enable a disabled button without JavaScript: CSS mutes it for the cooldown instead.
      await expect(resend).toHaveCSS("pointer-events", "none");
      await expect(resend).toHaveCSS("text-decoration-line", "none");
    }
  });
});
