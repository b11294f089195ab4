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
  // Rendered by the catch-all page itself, so it also shows without JavaScript (Next.js does not server-render
  // not-found.tsx after notFound() in a dynamic route, vercel/next.js#62228); the proxy gives it the status 404.
  const lang = portal.language;
  const response = await page.goto(`/${lang}/bestaat-niet`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(portal.t.notFound.title);
  await expect(page.getByRole("main").getByRole("link")).toHaveAttribute("href", `/${lang}`);
  await inspect(page);
});
