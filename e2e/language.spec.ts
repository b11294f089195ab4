// The browser's language picks Dutch or English; the header's switch changes it and the choice is remembered.
import { expect, test } from "./fixtures/portal";
import { texts, type Language } from "./fixtures/texts";

test("the language switch changes the language and the portal remembers it", async ({ page, portal, inspect }) => {
  const lang = portal.language;
  const other: Language = lang === "nl" ? "en" : "nl";

  // Accept-Language (the project's locale) decides the first visit.
  await page.goto("/");
  await expect(page).toHaveURL(`/${lang}`);
  await expect(page.locator("html")).toHaveAttribute("lang", lang);
  await inspect(page);

  await page.getByRole("navigation").getByRole("link", { name: texts[lang].switchTo }).click();
  await expect(page).toHaveURL(`/${other}`);
  await expect(page.locator("html")).toHaveAttribute("lang", other);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(texts[other].signIn.title);
  await expect(page.getByLabel(texts[other].signIn.username, { exact: true })).toBeVisible();
  await inspect(page);

  // Remembered: the bare address now opens the chosen language, against the browser's own preference.
  await page.goto("/");
  await expect(page).toHaveURL(`/${other}`);
  await expect(page.locator("html")).toHaveAttribute("lang", other);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(texts[other].signIn.title);

  // Switching back is remembered too.
  await page.getByRole("navigation").getByRole("link", { name: texts[other].switchTo }).click();
  await expect(page).toHaveURL(`/${lang}`);
  await page.goto("/");
  await expect(page).toHaveURL(`/${lang}`);
  await expect(page.locator("html")).toHaveAttribute("lang", lang);
});

test("the language switch keeps the page the user is on", async ({ page, portal, inspect }) => {
  const lang = portal.language;
  const other: Language = lang === "nl" ? "en" : "nl";

  await page.goto(`/${lang}/help`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(texts[lang].help.title);
  await inspect(page);

  await page.getByRole("navigation").getByRole("link", { name: texts[lang].switchTo }).click();
  await expect(page).toHaveURL(`/${other}/help`);
  await expect(page.locator("html")).toHaveAttribute("lang", other);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(texts[other].help.title);
  await inspect(page);
});
