// hCaptcha on "Wie bent u?" against the local stand-in (playwright.providers.config.ts starts both): the real
// @hcaptcha/react-hcaptcha widget loads under the portal's CSP, a tick yields a token, the server verifies it and the
// wizard moves on; siteverify saying no, failing or timing out refuses with the message. Without JavaScript the built-in
// CAPTCHA stands in and hCaptcha is never asked. Other projects' tests use the stand-in at the same time: a test sets
// siteverify's mode for its own token only, and looks only at the verifications of its own tokens (or of none).
import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test, type Portal } from "../fixtures/portal";
import { CAPTCHA_ANSWER, errorSummary, expectStep, fillIdentify } from "../fixtures/recovery";

const standIn = `http://127.0.0.1:${process.env.E2E_HCAPTCHA_PORT ?? 3181}`;
const TEST_SITE_KEY = "10000000-ffff-ffff-ffff-000000000001";

type Verification = { response: string | null; sitekey: string | null; remoteip: string | null; secret: string };

/** How siteverify answers for this one token (a tick's), whatever other tests do meanwhile. */
async function setSiteverify(request: APIRequestContext, mode: "fail" | "error" | "slow", token: string) {
  expect((await request.post(`${standIn}/__control/mode`, { data: { siteverify: mode, response: token } })).ok()).toBe(true);
}

/** The verifications the portal asked for these tokens, and any without a token (which no form should cause). */
async function verifications(request: APIRequestContext, tokens: string[] = []): Promise<Verification[]> {
  const all = (await (await request.get(`${standIn}/__control/verifications`)).json()) as Verification[];
  return all.filter((v) => !v.response || tokens.includes(v.response));
}

/** An ID nobody has: reaching the reason step is the same for every ID, and no account is touched. */
const userIdFor = (portal: Portal) => `hcaptcha-${portal.project}@flynth.nl`;

/** Every Content-Security-Policy violation the page reports. */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on("console", (message) => {
    if (/Content.Security.Policy/i.test(message.text())) seen.push(message.text());
  });
  return seen;
}

/** Ticks the widget's checkbox (in its frame, as with hCaptcha) and waits for the token in the form. */
async function tickWidget(page: Page, portal: Portal): Promise<string> {
  const box = page
    .locator("#captchaWidget iframe")
    .contentFrame()
    .getByRole("checkbox", { name: portal.language === "nl" ? "Ik ben een mens" : "I am human" });
  await box.click();
  await expect(box).toBeChecked();
  const field = page.locator('main form textarea[name="h-captcha-response"]');
  await expect(field).toHaveValue(/^P1_/);
  return field.inputValue();
}

/** "Volgende". After a tick the focus is in the widget's cross-origin frame, and Chromium then scrolls a button that is
 * out of view only after Playwright has taken the click's position (the click lands beside it), so scroll first. */
async function submitIdentify(page: Page, portal: Portal) {
  const next = page.getByRole("button", { name: portal.t.recover.next, exact: true });
  await next.scrollIntoViewIfNeeded();
  await next.click();
}

// The widget is shown in the page's language, and without JavaScript the built-in CAPTCHA stands in: every project.
test(
  "Wie bent u? with hCaptcha: the widget in the page's language, a tick gives a token, the server verifies it and the wizard moves on",
  { tag: ["@languages", "@no-js"] },
  async ({ page, portal, inspect, request }, testInfo) => {
    const { language: lang, t } = portal;
    const violations = cspViolations(page);
    const response = await page.goto(`/${lang}/recover`);
    const csp = response!.headers()["content-security-policy"] ?? "";
    expect(csp).toMatch(new RegExp(`frame-src ${standIn.replace(/[.:/]/g, "\\$&")}(;|$)`));
    expect(csp).toContain("'strict-dynamic'");
    await expectStep(page, portal, inspect, "identify");
    await expect(page.getByText(t.message("Recovery.identify.introHcaptcha"))).toBeVisible();

    if (!portal.js) {
      await test.step("without JavaScript: no widget, the built-in CAPTCHA instead, and hCaptcha is never asked", async () => {
        await expect(page.locator("#captchaWidget iframe")).toHaveCount(0);
        await expect(page.getByRole("img", { name: t.message("Recovery.identify.captchaImageAlt") })).toBeVisible();
        await page.screenshot({ path: testInfo.outputPath("identify-hcaptcha-nojs.png"), fullPage: true });
        await fillIdentify(page, portal, userIdFor(portal), "wrong1");
        const wrong = t.message("Recovery.identify.errors.captchaWrong");
        await expect(page.getByRole("main").getByRole("alert")).toContainText(wrong);
        expect(await errorSummary(page)).toEqual([wrong]);
        await inspect(page);
        await fillIdentify(page, portal, userIdFor(portal), CAPTCHA_ANSWER);
        await expectStep(page, portal, inspect, "reason");
        expect(await verifications(request)).toEqual([]);
      });
      return;
    }

    const widget = page.locator("#captchaWidget iframe");
    await test.step("the widget renders from the stand-in, in the page's language, and no built-in CAPTCHA is in the form", async () => {
      await expect(widget).toBeVisible();
      expect(new URL((await widget.getAttribute("src"))!).searchParams.get("hl")).toBe(lang);
      await expect(page.getByLabel(t.recover.captcha, { exact: true })).toHaveCount(0);
      await expect(page.locator('main form [name="captchaToken"], main form [name="noscript"]')).toHaveCount(0);
      await page.screenshot({ path: testInfo.outputPath("identify-hcaptcha.png"), fullPage: true });
    });

    await test.step("“Volgende” without ticking asks for the CAPTCHA, and the summary links to the widget", async () => {
      await page.getByLabel(t.recover.userId, { exact: true }).fill(userIdFor(portal));
      await submitIdentify(page, portal);
      const required = t.message("Recovery.identify.errors.hcaptchaRequired");
      await expect(page.getByRole("main").getByRole("alert")).toContainText(required);
      expect(await errorSummary(page)).toEqual([required]);
      await expect(page.getByRole("main").getByRole("alert").getByRole("link", { name: required })).toHaveAttribute(
        "href",
        "#captchaWidget",
      );
      await expect(page.getByLabel(t.recover.userId, { exact: true })).toHaveValue(userIdFor(portal));
      expect(await verifications(request)).toEqual([]);
      await inspect(page);
    });

    await test.step("a tick gives a token; the server verifies it once and the wizard moves on", async () => {
      const token = await tickWidget(page, portal);
      await submitIdentify(page, portal);
      await expectStep(page, portal, inspect, "reason");
      const sent = await verifications(request, [token]);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ response: token, sitekey: TEST_SITE_KEY, secret: "test-secret" });
    });
    expect(violations, "CSP violations").toEqual([]);

    await test.step("a widget script that cannot be loaded is reported on the page", async () => {
      await page.route("**/1/api.js*", (route) => route.abort());
      await page.goto(`/${lang}/recover`);
      await expect(page.getByRole("alert").filter({ hasText: t.message("Recovery.identify.hcaptchaLoadFailed") })).toBeVisible();
      await inspect(page);
    });
  },
);

const failures = [
  { mode: "fail", what: "says no", message: "Recovery.identify.errors.hcaptchaFailed" },
  { mode: "error", what: "answers HTTP 500", message: "Recovery.identify.errors.captchaUnavailable" },
  { mode: "slow", what: "does not answer in time", message: "Recovery.identify.errors.captchaUnavailable" },
] as const;

// siteverify's trouble is the server's side of the widget: the same in both languages, and without JavaScript hCaptcha
// is never asked (the first test shows that), so these run in nl-js only (untagged; see playwright.providers.config.ts).
for (const failure of failures) {
  test(`siteverify ${failure.what}: the portal refuses with its message after one request, and a new tick works once hCaptcha is back`, async ({
    page,
    portal,
    inspect,
    request,
  }) => {
    const { language: lang, t } = portal;
    await page.goto(`/${lang}/recover`);
    await expectStep(page, portal, inspect, "identify");

    await page.getByLabel(t.recover.userId, { exact: true }).fill(userIdFor(portal));
    const token = await tickWidget(page, portal);
    await setSiteverify(request, failure.mode, token);
    await submitIdentify(page, portal);
    const message = t.message(failure.message);
    // In "slow" mode the portal waits its own 5 s siteverify timeout before it answers: with the page load after it, the
    // message can come later than the default 10 s wait.
    await expect(page.getByRole("main").getByRole("alert")).toContainText(message, { timeout: 15_000 });
    expect(await errorSummary(page)).toEqual([message]);
    await expect(page).toHaveURL(`/${lang}/recover`);
    await expect(page.getByLabel(t.recover.userId, { exact: true })).toHaveValue(userIdFor(portal));
    expect(await verifications(request, [token]), "exactly one siteverify request").toHaveLength(1);
    await inspect(page);

    // The used token is gone: a fresh, unticked widget waits for a new tick.
    await expect(page.locator('main form textarea[name="h-captcha-response"]')).toHaveValue("");
    // A new token is answered as usual again (the trouble was set for the first one only).
    const again = await tickWidget(page, portal);
    await submitIdentify(page, portal);
    await expectStep(page, portal, inspect, "reason");
    expect(await verifications(request, [token, again])).toHaveLength(2);
  });
}
