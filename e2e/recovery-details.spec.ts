// "Mijn herstelgegevens": a signed-in user changes their own mobile number through a code sent to the new number (the
// old number is told), and confirms a number on the Werkplek's "Klopt dit nummer nog?".
import { randomInt } from "node:crypto";
import { expect, test } from "./fixtures/portal";
import { codeIn, messagesTo, phone } from "./fixtures/outbox";
import { errorSummary } from "./fixtures/recovery";
import { signIn } from "./fixtures/sign-in";
import { e2eUser } from "./fixtures/users";

// The portal's defaults (lib/config.ts): the notification SMS names them.
const ORG = "Flynth";
const HELPDESK = "+31 88 236 00 00";

test("a user changes their own mobile number through a code sent to the new number; the old number is told", async ({
  page,
  request,
  portal,
  inspect,
}) => {
  const { language: lang, t } = portal;
  const user = e2eUser("mynumber", portal.project);
  // A number nobody in users.csv has, new on every run.
  const digits = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const typed = `06-29${digits}`;
  const recipient = `+31629${digits}`;
  const newPhone = await phone(request, recipient);
  const oldPhone = await phone(request, user.recipient);
  const m = (key: string, values?: Record<string, string | number>) => t.message(key, values);

  await page.goto(`/${lang}`);
  await inspect(page);
  await signIn(page, portal, user.email, user.password);
  await expect(page).toHaveURL(`/${lang}/home`);
  await inspect(page);
  await page.getByRole("link", { name: m("HomePage.recoveryDetailsLink") }).click();
  await expect(page).toHaveURL(`/${lang}/home/recovery-details`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(m("RecoveryDetails.title"));
  // The registered number, masked.
  await expect(page.getByRole("main").getByText(`*****${user.recipient.slice(-2)}`)).toBeVisible();
  await inspect(page);

  const mobile = page.getByLabel(m("RecoveryDetails.mobile"), { exact: true });
  const password = page.getByLabel(m("RecoveryDetails.password"), { exact: true });
  const send = page.getByRole("button", { name: m("RecoveryDetails.sendCode") });

  // A landline is refused, and the typed number stays in the field.
  await mobile.fill("020-5551234");
  await password.fill(user.password);
  await send.click();
  await expect.poll(() => errorSummary(page)).toEqual([m("RecoveryDetails.errors.not-mobile")]);
  await expect(mobile).toHaveValue("020-5551234");
  await inspect(page);

  // A wrong password is refused and sends nothing.
  await mobile.fill(typed);
  await password.fill("Verkeerd-wachtwoord-1");
  await send.click();
  await expect.poll(() => errorSummary(page)).toEqual([m("RecoveryDetails.errors.wrong-password")]);
  expect(await messagesTo(request, recipient)).toHaveLength(0);

  // The right password: the code goes to the new number, the old one gets nothing yet.
  await mobile.fill(typed);
  await password.fill(user.password);
  await send.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(m("RecoveryDetails.codeTitle"));
  await expect(page.getByText(m("RecoveryDetails.codeSent", { masked: `*****${recipient.slice(-2)}` }))).toBeVisible();
  await inspect(page);
  const sms = await newPhone.next({ purpose: "code", channel: "sms" });
  const code = codeIn(sms);
  expect(await oldPhone.count()).toBe(0);
  // A second tab on the same code step, used after the first tab completed the change.
  const secondTab = await page.context().newPage();
  await secondTab.goto(`/${lang}/home/recovery-details`);
  await expect(secondTab.getByRole("heading", { level: 1 })).toHaveText(m("RecoveryDetails.codeTitle"));
  await inspect(secondTab);

  await page.getByLabel(m("RecoveryDetails.code"), { exact: true }).fill(code);
  await page.getByRole("button", { name: m("RecoveryDetails.confirm") }).click();
  await expect(page).toHaveURL(`/${lang}/home/recovery-details?done=changed`);
  await expect(page.getByRole("status")).toHaveText(m("RecoveryDetails.changed"));
  await expect(page.getByRole("main").getByText(`*****${recipient.slice(-2)}`)).toBeVisible();
  await inspect(page);

  // The second tab's submit of the same code: told the change was completed (not that the number was left unchanged).
  await secondTab.getByLabel(m("RecoveryDetails.code"), { exact: true }).fill(code);
  await secondTab.getByRole("button", { name: m("RecoveryDetails.confirm") }).click();
  await expect(secondTab).toHaveURL(`/${lang}/home/recovery-details?done=already-changed`);
  await expect(secondTab.getByRole("status")).toHaveText(m("RecoveryDetails.already-changed"));
  await expect(secondTab.getByRole("main").getByText(`*****${recipient.slice(-2)}`)).toBeVisible();
  await inspect(secondTab);
  await secondTab.close();

  const alert = await oldPhone.next({ purpose: "notification", channel: "sms" });
  expect(alert.body).toBe(m("Sms.mobileChanged", { org: ORG, digits: recipient.slice(-2), helpdesk: HELPDESK }));

  // Just confirmed: the Werkplek does not ask "Klopt dit nummer nog?".
  await page.getByRole("link", { name: m("RecoveryDetails.back") }).click();
  await expect(page).toHaveURL(`/${lang}/home`);
  await expect(page.getByRole("heading", { name: m("HomePage.reconfirmTitle") })).toHaveCount(0);
});

test("the Werkplek asks whether a never-confirmed number is still right; one click confirms it", async ({ page, portal, inspect }) => {
  const { language: lang, t } = portal;
  const user = e2eUser("reconfirm", portal.project);
  const m = (key: string, values?: Record<string, string | number>) => t.message(key, values);

  await page.goto(`/${lang}`);
  await inspect(page);
  await signIn(page, portal, user.email, user.password);
  await expect(page).toHaveURL(`/${lang}/home`);
  const prompt = page.getByRole("region", { name: m("HomePage.reconfirmTitle") });
  await expect(prompt).toBeVisible();
  await expect(prompt).toContainText(m("HomePage.reconfirmText", { masked: `*****${user.recipient.slice(-2)}` }));
  await expect(prompt.getByRole("link", { name: m("HomePage.reconfirmChange") })).toHaveAttribute("href", `/${lang}/home/recovery-details`);
  await inspect(page);

  await prompt.getByRole("button", { name: m("HomePage.reconfirmYes") }).click();
  await expect(page).toHaveURL(`/${lang}/home?confirmed=1`);
  await expect(page.getByRole("status")).toHaveText(m("HomePage.reconfirmDone"));
  await expect(page.getByRole("region", { name: m("HomePage.reconfirmTitle") })).toHaveCount(0);
  await inspect(page);

  // The date is kept: the next visit does not ask again.
  await page.goto(`/${lang}/home`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(t.home.title);
  await expect(page.getByRole("heading", { name: m("HomePage.reconfirmTitle") })).toHaveCount(0);
});
