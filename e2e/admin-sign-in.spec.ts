// Administrator sign-in (issue #5): password under the portal's lockout, then the SMS code; the admin area's shell,
// the account lookup and signing out — in Dutch and English, with JavaScript on and off.
import { adminText, attemptAdminSignIn, signInAsAdmin, submitAdminCode, submitAdminPassword } from "./fixtures/admin";
import { codeIn, phone } from "./fixtures/outbox";
import { expect, test } from "./fixtures/portal";
import { errorSummary } from "./fixtures/recovery";
import { e2eUser, unknownUserId } from "./fixtures/users";

const WRONG = "Verkeerd-wachtwoord-1";

// The tests of this file share one administrator per project (whose phone they read), so they run one after another.
test.describe.configure({ mode: "default" });

test("an administrator signs in with password and SMS code, looks up accounts, and signs out; the old cookie then opens nothing", async ({
  page,
  context,
  portal,
  inspect,
}) => {
  // One administrator's whole visit: a dozen pages, each checked by axe.
  test.setTimeout(120_000);
  const lang = portal.language;
  const admin = e2eUser("admin-sign-in", portal.project);
  const handset = await phone(page.request, admin.recipient);

  // A first attempt: a wrong code counts, a new code must wait for the cooldown, "Annuleren" ends the attempt.
  await page.goto(`/${lang}/admin/sign-in`);
  await inspect(page);
  await submitAdminPassword(page, portal, admin.email, admin.password);
  await expect(page).toHaveURL(`/${lang}/admin/sign-in/code`);
  await inspect(page);
  const firstCode = codeIn(await handset.next({ purpose: "code", channel: "sms" }));
  await submitAdminCode(page, portal, firstCode === "000000" ? "111111" : "000000");
  await expect.poll(() => errorSummary(page)).toEqual([adminText(portal, "code.errors.wrong-code", { attemptsLeft: 4 })]);
  await page.getByRole("button", { name: adminText(portal, "code.resend"), exact: true }).click();
  await expect
    .poll(() => errorSummary(page))
    .toContainEqual(expect.stringMatching(portal.t.messagePattern("Admin.code.errors.cooldown", "seconds")));
  await inspect(page);
  await page.getByRole("button", { name: adminText(portal, "code.cancel"), exact: true }).click();
  await expect(page).toHaveURL(`/${lang}/admin/sign-in`);
  await page.goto(`/${lang}/admin/sign-in/code`);
  await expect(page).toHaveURL(`/${lang}/admin/sign-in?ended=1`);
  await expect(page.getByRole("status")).toHaveText(adminText(portal, "signIn.ended"));
  await inspect(page);

  // The real sign-in.
  await signInAsAdmin(page, portal, inspect, { role: "admin-sign-in" });
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(adminText(portal, "home.title"));
  const menu = page.getByRole("navigation", { name: adminText(portal, "shell.nav") });
  await expect(menu.getByRole("link", { name: adminText(portal, "shell.home") })).toHaveAttribute("aria-current", "page");

  // Account lookup: an employee's state with only the last two digits of the number, linked to the audit log.
  const employee = e2eUser("ordinary", portal.project);
  await menu.getByRole("link", { name: adminText(portal, "shell.accounts") }).click();
  await expect(page).toHaveURL(`/${lang}/admin/accounts`);
  await inspect(page);
  await page.getByLabel(adminText(portal, "accounts.userId"), { exact: true }).fill(employee.email.toUpperCase());
  await page.getByRole("button", { name: adminText(portal, "accounts.submit"), exact: true }).click();
  // The account's own heading (the helpdesk section below it has one too).
  await expect(
    page.getByRole("heading", { level: 2, name: adminText(portal, "accounts.result", { email: employee.email }) }),
  ).toBeVisible();
  const facts = page.locator("dl.account-facts");
  await expect(facts).toContainText(`*****${employee.recipient.slice(-2)}`);
  await expect(facts).not.toContainText(employee.recipient.slice(-9, -2));
  await expect(facts).toContainText(adminText(portal, "accounts.user"));
  await expect(page.getByRole("link", { name: adminText(portal, "accounts.auditLink") })).toHaveAttribute(
    "href",
    `/${lang}/admin/audit?user=${encodeURIComponent(employee.email)}`,
  );
  await inspect(page);
  const nobody = unknownUserId(portal.project);
  await page.goto(`/${lang}/admin/accounts?user=${encodeURIComponent(nobody)}`);
  await expect(page.getByRole("status")).toHaveText(adminText(portal, "accounts.notFound", { userId: nobody }));
  await inspect(page);

  // Signing out ends the session on the server: a copy of the cookie taken before opens nothing afterwards.
  const cookie = (await context.cookies()).find((c) => /toegang-admin$/.test(c.name))!;
  expect(cookie, "the admin session cookie").toBeDefined();
  await page.getByRole("button", { name: adminText(portal, "shell.signOut"), exact: true }).click();
  await expect(page).toHaveURL(`/${lang}/admin/sign-in?signedOut=1`);
  await expect(page.getByRole("status")).toHaveText(adminText(portal, "signIn.signedOut"));
  await inspect(page);
  await context.addCookies([
    {
      name: cookie.name,
      value: cookie.value,
      domain: cookie.domain,
      path: cookie.path,
      secure: cookie.secure,
      httpOnly: cookie.httpOnly,
      sameSite: cookie.sameSite,
    },
  ]);
  const replayed = await page.request.get(`/${lang}/admin`, { maxRedirects: 0 });
  expect(replayed.status()).toBe(307);
  expect(replayed.headers()["location"]).toBe(`/${lang}/admin/sign-in?next=%2Fadmin&expired=1`);
});

test("the admin sign-in answers an unknown ID, an employee's right password and a wrong password alike, and locks after five wrong ones", async ({
  page,
  portal,
  inspect,
}) => {
  const lang = portal.language;
  const invalid = [adminText(portal, "signIn.errors.invalid")];
  const locked = [adminText(portal, "signIn.errors.locked")];
  const admin = e2eUser("lock-admin", portal.project);
  const employee = e2eUser("ordinary", portal.project);
  const handset = await phone(page.request, admin.recipient);
  const textsBefore = await handset.count();

  await page.goto(`/${lang}/admin/sign-in`);
  await inspect(page);
  expect(await attemptAdminSignIn(page, portal, unknownUserId(portal.project), WRONG)).toEqual(invalid);
  await inspect(page);
  expect(await attemptAdminSignIn(page, portal, employee.email, employee.password), "an employee's right password").toEqual(invalid);
  for (let attempt = 1; attempt <= 4; attempt++) {
    expect(await attemptAdminSignIn(page, portal, admin.email, WRONG), `attempt ${attempt}`).toEqual(invalid);
  }
  expect(await attemptAdminSignIn(page, portal, admin.email, WRONG), "attempt 5").toEqual(locked);
  expect(await attemptAdminSignIn(page, portal, admin.email, admin.password), "the right password while locked").toEqual(locked);
  await expect(page).toHaveURL(`/${lang}/admin/sign-in`);
  await inspect(page);
  expect(await handset.count(), "no code was sent").toBe(textsBefore);
});

test("an administrator without a mobile number is told to ask another administrator", async ({ page, portal, inspect }) => {
  const admin = e2eUser("admin-nomobile", portal.project);
  await page.goto(`/${portal.language}/admin/sign-in`);
  expect(await attemptAdminSignIn(page, portal, admin.email, admin.password)).toEqual([adminText(portal, "signIn.errors.noMobile")]);
  await inspect(page);
});
