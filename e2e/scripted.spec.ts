// Behaviour that exists only with JavaScript (issue 12, item 7: a busy state on slow submits). The no-JavaScript
// projects leave this file out (playwright.config.ts) instead of skipping its tests: without JavaScript the browser
// itself shows the page loading, and there is nothing of the portal's own to test.
import { randomBytes } from "node:crypto";
import { expect, test } from "./fixtures/portal";
import { expectStep, fillIdentify } from "./fixtures/recovery";

const unknownId = (project: string) => `niemand-${project}-${randomBytes(3).toString("hex")}@flynth.nl`;

test("a slow submit shows a busy button that cannot be pressed twice", async ({ page, portal, inspect }) => {
  const { language: lang, t } = portal;
  await page.goto(`/${lang}/recover`);
  await expectStep(page, portal, inspect, "identify");
  // Hold the form's post for a moment, as a slow network would.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(`**/${lang}/recover`, async (route) => {
    if (route.request().method() === "POST") await held;
    await route.continue();
  });
  await fillIdentify(page, portal, unknownId(portal.project));
  const next = page.getByRole("button", { name: t.recover.next, exact: true });
  await expect(next).toBeDisabled();
  await expect(next).toHaveAttribute("aria-busy", "true");
  release();
  await expectStep(page, portal, inspect, "reason");
});
