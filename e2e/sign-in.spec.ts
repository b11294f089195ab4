// Seed screen 0: signing in and out, lockout after five wrong passwords, and the same answers for an unknown user ID.
import { expect, test } from "./fixtures/portal";
import { attemptSignIn, signIn, type Attempt } from "./fixtures/sign-in";
import { e2eUser, unknownUserId } from "./fixtures/users";

const WRONG = "Verkeerd-wachtwoord-1";

test("signing in opens the Werkplek with the user's name; signing out returns to sign-in", async ({ page, portal, inspect }) => {
  const { language: lang, t } = portal;
  const user = e2eUser("signin", portal.project);

  await page.goto("/");
  await expect(page).toHaveURL(`/${lang}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(t.signIn.title);
  await expect(page.getByRole("link", { name: t.signIn.forgot })).toBeVisible();
  await inspect(page);

  await signIn(page, portal, user.email, user.password);
  await expect(page).toHaveURL(`/${lang}/home`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(t.home.title);
  await expect(page.getByText(t.home.welcome(`${user.firstName} ${user.lastName}`))).toBeVisible();
  await inspect(page);
  // What someone who copied the cookie would hold.
  const copied = await page.context().cookies();

  await page.getByRole("button", { name: t.home.signOut }).click();
  await expect(page).toHaveURL(`/${lang}?signedOut=1`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(t.signIn.title);
  await expect(page.getByRole("status")).toHaveText(t.signIn.signedOut);
  await inspect(page);

  // The session really ended: the Werkplek sends the visitor back to sign-in.
  await page.goto(`/${lang}/home`);
  await expect(page).toHaveURL(`/${lang}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(t.signIn.title);

  // It ended on the server: the copied cookie, sent again, no longer opens the Werkplek.
  await page.context().addCookies(copied);
  const replayed = await page.request.get(`/${lang}/home`, { maxRedirects: 0 });
  expect(replayed.status()).toBe(307);
  expect(replayed.headers()["location"]).toMatch(new RegExp(`/${lang}\\?ended=1$`));
  await page.goto(`/${lang}/home`);
  await expect(page).toHaveURL(`/${lang}?ended=1`);
  await expect(page.getByRole("status")).toHaveText(t.signIn.sessionEnded);
  await inspect(page);
});

test("five wrong passwords lock the account; the right password is then refused with the locked message", async ({
  page,
  portal,
  inspect,
}) => {
  const { language: lang, t } = portal;
  const user = e2eUser("lock", portal.project);

  await page.goto(`/${lang}`);
  await inspect(page);

  for (let attempt = 1; attempt <= 4; attempt++) {
    const answer = await attemptSignIn(page, portal, user.email, WRONG);
    expect(answer.messages, `attempt ${attempt}`).toEqual([t.errors.invalid]);
    if (attempt === 1) await inspect(page);
  }

  const fifth = await attemptSignIn(page, portal, user.email, WRONG);
  expect(fifth.messages, "attempt 5").toEqual([t.errors.locked]);
  await inspect(page);

  const rightPassword = await attemptSignIn(page, portal, user.email, user.password);
  expect(rightPassword.messages, "the right password on a locked account").toEqual([t.errors.locked]);
  await expect(page).toHaveURL(`/${lang}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(t.signIn.title);
  // The page points the user to self-service unlock.
  await expect(page.getByRole("main").getByRole("link", { name: t.signIn.forgot }).first()).toBeVisible();
});

test("an unknown user ID gets the same sequence of messages as a known one", async ({ page, context, portal, inspect }) => {
  const { language: lang, t } = portal;
  const known = e2eUser("compare", portal.project);
  const unknown = unknownUserId(portal.project);
  const other = await context.newPage();

  await page.goto(`/${lang}`);
  await other.goto(`/${lang}`);
  await inspect(page);

  const expected = [t.errors.invalid, t.errors.invalid, t.errors.invalid, t.errors.invalid, t.errors.locked, t.errors.locked];
  const knownAnswers: Attempt[] = [];
  const unknownAnswers: Attempt[] = [];
  for (let attempt = 1; attempt <= 6; attempt++) {
    // The sixth attempt uses the known account's right password, for both IDs.
    const password = attempt === 6 ? known.password : WRONG;
    knownAnswers.push(await attemptSignIn(page, portal, known.email, password));
    unknownAnswers.push(await attemptSignIn(other, portal, unknown, password));
    expect(unknownAnswers[attempt - 1], `attempt ${attempt}: unknown vs known`).toEqual(knownAnswers[attempt - 1]);
    expect(other.url(), `attempt ${attempt}: URL`).toBe(page.url());
  }
  expect(knownAnswers.map((a) => a.messages)).toEqual(expected.map((m) => [m]));
  await inspect(other);
});
