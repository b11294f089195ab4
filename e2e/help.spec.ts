// Seed screen 1: the help page, reached from sign-in, and its two links into the recovery wizard.
import { expect, test } from "./fixtures/portal";

for (const intent of ["unlock", "reset"] as const) {
  test(`the help page's ${intent} link starts recovery with intent=${intent}`, async ({ page, portal, inspect }) => {
    const { language: lang, t } = portal;

    await page.goto(`/${lang}`);
    await inspect(page);
    await page.getByRole("link", { name: t.signIn.forgot }).click();
    await expect(page).toHaveURL(`/${lang}/help`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(t.help.title);
    await inspect(page);

    const link = page.getByRole("main").getByRole("link", { name: intent === "unlock" ? t.help.unlock : t.help.reset, exact: true });
    await expect(link).toHaveAttribute("href", `/${lang}/recover?intent=${intent}`);
    await link.click();
    await expect(page).toHaveURL(new RegExp(`/${lang}/recover(/[a-z-]+)?(\\?.*)?$`));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(t.recover.title);
    await inspect(page);
  });
}

test("an unknown address shows the localised not-found page", async ({ page, portal, inspect }) => {
  // Known defect, tracked here rather than skipped: Next.js does not server-render not-found.tsx when a page calls
  // notFound() (vercel/next.js#62228), so without JavaScript the page is blank. When that is fixed this test starts
  // "passing unexpectedly" and the line below must go.
  test.fail(!portal.js, "not-found.tsx is rendered only by client JavaScript (vercel/next.js#62228)");
  const lang = portal.language;
  const response = await page.goto(`/${lang}/bestaat-niet`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(portal.t.notFound.title);
  await expect(page.getByRole("main").getByRole("link")).toHaveAttribute("href", `/${lang}`);
  await inspect(page);
});
