// `npm run screenshots`: every screen of the wizard in Dutch, at phone (375 px) and desktop (1280 px) width, into
// docs/screenshots/ for the README. Not part of the test suite (playwright.screenshots.config.ts runs it alone).
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { codeIn, phone } from "./fixtures/outbox";
import type { Portal } from "./fixtures/portal";
import { chooseReason, choosePassword, enterCode, fillIdentify, submitNumber } from "./fixtures/recovery";
import { adminText, submitAdminCode, submitAdminPassword } from "./fixtures/admin";
import { auditTable, auditText } from "./fixtures/audit";
import { attemptSignIn, signIn } from "./fixtures/sign-in";
import { texts } from "./fixtures/texts";

const portal: Portal = { project: "screenshots", language: "nl", js: true, t: texts.nl };
const { t } = portal;

// The demo users of the embedded database (README, "Demo users"): Jan's mobile ends in 56 like the seed's; Petra is locked.
const jan = { email: "jan.jansen@flynth.nl", recipient: "+31612345656", typed: "06-12345656" };
const petra = { email: "petra.devries@flynth.nl", password: "Tulpenbol2026!", recipient: "+31687654321", typed: "06-87654321" };
const beheer = { email: "beheer@flynth.nl", password: "Stempelkussen2026!", recipient: "+31611112278" };

const sizes = {
  phone: { width: 375, height: 812 },
  desktop: { width: 1280, height: 800 },
} as const;

// Real users never see the test-mode banner (the server runs with CAPTCHA_TEST_ANSWER so this script can pass the CAPTCHA).
const HIDE_TEST_BANNER = ".test-banner { display: none !important; }";

/** sharp (installed with Next.js) turns a screenshot into a palette PNG a third of the size; without it, the shot as is. */
async function compress(png: Buffer): Promise<Buffer> {
  try {
    const { default: sharp } = await import("sharp");
    return await sharp(png).png({ palette: true, quality: 90, compressionLevel: 9, effort: 10 }).toBuffer();
  } catch {
    return png;
  }
}

/** One screen at both widths, the whole page (at least the window; longer pages, e.g. with errors, are not cut off). */
async function shoot(page: Page, name: string): Promise<void> {
  // The CAPTCHA picture is rendered per request; wait until every image has arrived.
  await page.waitForFunction(() => [...document.images].every((image) => image.complete && image.naturalWidth > 0));
  for (const [device, size] of Object.entries(sizes)) {
    await page.setViewportSize(size);
    // Chromium lays out its own controls (the CAPTCHA's <audio> player) a frame or two after a resize or a re-render;
    // shot at once, the player was an empty bar.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(done)))));
    const png = await page.screenshot({ fullPage: true, animations: "disabled", caret: "hide", style: HIDE_TEST_BANNER });
    await writeFile(`docs/screenshots/${name}-${device}.png`, await compress(png));
  }
  await page.setViewportSize(sizes.desktop);
}

// bypassCSP: the portal's CSP (rightly) refuses the style that hides the test banner.
test.use({ viewport: sizes.desktop, deviceScaleFactor: 1, bypassCSP: true });

test("password reset screens (Jan Jansen, SMS)", async ({ page, request }) => {
  const inbox = await phone(request, jan.recipient);

  await page.goto("/nl");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(t.signIn.title);
  await shoot(page, "01-sign-in");

  await page.getByRole("link", { name: t.signIn.forgot }).click();
  await expect(page).toHaveURL("/nl/help");
  await shoot(page, "03-help");

  await page.getByRole("main").getByRole("link", { name: t.help.reset, exact: true }).click();
  await expect(page).toHaveURL("/nl/recover?intent=reset");
  await shoot(page, "04-identify");

  await fillIdentify(page, portal, jan.email, "abc123");
  await expect(page.getByRole("main").getByRole("alert")).toBeVisible();
  await shoot(page, "05-identify-wrong-captcha");

  await fillIdentify(page, portal, jan.email);
  await expect(page).toHaveURL("/nl/recover/reason");
  await shoot(page, "06-reason");

  await chooseReason(page, portal, "reset");
  await expect(page).toHaveURL("/nl/recover/verify");
  await shoot(page, "07-verify");

  await submitNumber(page, portal, "sms", jan.typed);
  await expect(page).toHaveURL("/nl/recover/code");
  const code = codeIn(await inbox.next({ purpose: "code", channel: "sms" }));
  await shoot(page, "09-code");

  await enterCode(page, portal, code === "000000" ? "111111" : "000000");
  await expect(page.getByRole("main").getByRole("alert")).toBeVisible();
  await shoot(page, "10-code-wrong");

  await page.getByRole("link", { name: t.recover.contact }).click();
  await expect(page).toHaveURL("/nl/recover/contact");
  await shoot(page, "11-contact");
  await page.goBack();
  await expect(page).toHaveURL("/nl/recover/code");

  await enterCode(page, portal, code);
  await expect(page).toHaveURL("/nl/recover/password");
  // Half the checklist ticked: long enough, an upper-case letter, no digit yet.
  await page.getByLabel(t.recover.newPassword).fill("Voorjaar");
  await expect(page.locator('li[data-rule="digit"]')).toHaveAttribute("data-status", "unmet");
  await expect(page.locator('li[data-rule="length"]')).toHaveAttribute("data-status", "met");
  await shoot(page, "12-password");

  await choosePassword(page, portal, "jansen", "jansen1");
  await expect(page.getByRole("main").getByRole("alert")).toBeVisible();
  await shoot(page, "13-password-rules-broken");

  const password = `Nieuw-${randomBytes(3).toString("hex")}-7Q`;
  await choosePassword(page, portal, password);
  await expect(page).toHaveURL("/nl/recover/done");
  await shoot(page, "14-done-reset");

  // Signed in with the new password: the Werkplek's home page.
  await page.goto("/nl");
  await signIn(page, portal, jan.email, password);
  await expect(page).toHaveURL("/nl/home");
  await shoot(page, "16-home");
});

test("account unlock screens (Petra de Vries, locked, phone call)", async ({ page, request }) => {
  const inbox = await phone(request, petra.recipient);

  // Seeded locked; locked again here in case the database is not fresh.
  await page.goto("/nl");
  for (let attempt = 1; attempt <= 5; attempt++) await attemptSignIn(page, portal, petra.email, "Verkeerd-wachtwoord-1");
  await attemptSignIn(page, portal, petra.email, petra.password);
  await expect(page.getByRole("main").getByRole("alert")).toContainText(t.errors.locked);
  await page.getByLabel(t.signIn.password, { exact: true }).blur();
  await shoot(page, "02-sign-in-locked");

  await page.goto("/nl/recover?intent=unlock");
  await fillIdentify(page, portal, petra.email);
  await expect(page).toHaveURL("/nl/recover/reason");
  await chooseReason(page, portal, "unlock");
  await expect(page).toHaveURL("/nl/recover/verify");
  await page.getByRole("radio", { name: t.recover.voice }).check();
  await expect(page.getByRole("button", { name: t.recover.call, exact: true })).toBeVisible();
  await shoot(page, "08-verify-call");

  await submitNumber(page, portal, "voice", petra.typed);
  await expect(page).toHaveURL("/nl/recover/code");
  await enterCode(page, portal, codeIn(await inbox.next({ purpose: "code", channel: "voice" })));
  await expect(page).toHaveURL("/nl/recover/done");
  await shoot(page, "15-done-unlock");
});

test("audit log screens (the demo administrator looks up Jan Jansen's reset)", async ({ page, request }) => {
  const inbox = await phone(request, beheer.recipient);
  await page.goto("/nl/admin/sign-in");
  await submitAdminPassword(page, portal, beheer.email, beheer.password);
  await expect(page).toHaveURL(/\/nl\/admin\/sign-in\/code/);
  await submitAdminCode(page, portal, codeIn(await inbox.next({ purpose: "code", channel: "sms" })));
  await expect(page).toHaveURL("/nl/admin");

  // Jan's screens above left a wrong CAPTCHA, a wrong code and the reset in the trail.
  await page.goto(`/nl/admin/audit?user=${encodeURIComponent(jan.email)}`);
  await expect(auditTable(page, portal)).toBeVisible();
  await shoot(page, "30-audit-log");

  await auditTable(page, portal).locator('tbody tr[data-event="password.reset"] a[href*="/flows/"]').first().click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(auditText(portal, "timeline.title"));
  await shoot(page, "31-audit-timeline");

  // The account page with Jan's state and the helpdesk actions.
  await page.goto(`/nl/admin/accounts?user=${encodeURIComponent(jan.email)}`);
  await expect(page.getByRole("heading", { name: adminText(portal, "accounts.result", { email: jan.email }) })).toBeVisible();
  await shoot(page, "32-admin-account");
});
