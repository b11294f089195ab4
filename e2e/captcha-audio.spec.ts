// The audio CAPTCHA plays in the page (a native <audio controls>, no JavaScript needed): listening never leaves the
// form, so the challenge stays the one on the page; the answer it speaks is accepted; after "Nieuwe code" the player
// speaks the new challenge and Back still works. What the audio says is read from the test-only transcript route
// (test mode, this machine only), which reports the clips of the very rendering the player gets.
import type { Page } from "@playwright/test";
import { expect, test, type Portal } from "./fixtures/portal";
import { expectStep } from "./fixtures/recovery";
import { unknownUserId } from "./fixtures/users";

/** The characters a transcript speaks: the first reading's "kind + name" pairs. */
function spokenAnswer(spoken: string[]): string {
  const reading = spoken.slice(spoken.indexOf("intro") + 1, spoken.indexOf("again"));
  let answer = "";
  for (let i = 0; i + 1 < reading.length; i += 2) {
    const name = reading[i + 1]!.replace(/^say-/, "");
    answer += reading[i] === "upper" ? name.toUpperCase() : name;
  }
  return answer;
}

/** The page's audio player: inside the form, with the browser's own controls, pointing at this page's challenge. */
async function player(page: Page, portal: Portal) {
  const audio = page.locator("form").getByLabel(portal.t.recover.speaker, { exact: true });
  await expect(audio).toBeVisible();
  expect(await audio.evaluate((el) => el.tagName)).toBe("AUDIO");
  await expect(audio).toHaveAttribute("controls", "");
  // The player's address and the form's token, read together until they name the same challenge. Right after "Nieuwe
  // code" a read has seen the address still old and the token already new, even in one evaluate (en-js, in the CI of
  // 821c250 and again in that of 6c89ce9); what the player finally points at is what this checks.
  let src = "";
  let field = "";
  await expect
    .poll(
      async () => {
        [src, field] = await audio.evaluate((el) => [
          el.getAttribute("src") ?? "",
          document.querySelector<HTMLInputElement>('input[name="captchaToken"]')?.value ?? "",
        ]);
        return new URL(src, "http://x").searchParams.get("t") === field;
      },
      { message: "the player's address names the form's challenge" },
    )
    .toBe(true);
  expect(src).toMatch(new RegExp(`^/api/captcha/audio\\?t=[^&]+&lang=${portal.language}$`));
  return { audio, src, token: field };
}

/** Fetches what the player would play, and what it says. */
async function listen(page: Page, portal: Portal, src: string, token: string): Promise<string> {
  const res = await page.request.get(src);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toBe("audio/wav");
  expect((await res.body()).toString("ascii", 0, 4)).toBe("RIFF");
  const transcript = await page.request.get(`/dev/captcha-transcript?t=${encodeURIComponent(token)}&lang=${portal.language}`);
  expect(transcript.status()).toBe(200);
  const { spoken } = (await transcript.json()) as { spoken: string[] };
  return spokenAnswer(spoken);
}

test("the audio CAPTCHA plays in the page, and the answer it speaks is accepted", async ({ page, portal, inspect }) => {
  const { language: lang, t } = portal;
  await page.goto(`/${lang}/recover`);
  await expectStep(page, portal, inspect, "identify");
  const { audio, src, token } = await player(page, portal);
  // Nothing on the page leads away to a bare media player.
  await expect(page.locator('a[href^="/api/captcha/audio"]:visible')).toHaveCount(0);

  // The browser itself loads and decodes it, with or without the page's JavaScript: half a minute of speech. (The test
  // asks the player to load, as a click on its play button would; the page's own scripts play no part.)
  await audio.evaluate((el: HTMLAudioElement) => el.load());
  await expect
    .poll(() => audio.evaluate((el: HTMLAudioElement) => (el.error ? -1 : Number.isFinite(el.duration) ? el.duration : 0)), {
      message: "the audio's length once the browser has loaded it",
    })
    .toBeGreaterThan(10);
  const answer = await listen(page, portal, src, token);
  expect(answer).toMatch(/^[A-Za-z0-9]{6}$/);
  // Listening changed nothing: same page, same challenge.
  await expect(page).toHaveURL(`/${lang}/recover`);
  expect((await player(page, portal)).token).toBe(token);

  await page.getByLabel(t.recover.userId, { exact: true }).fill(unknownUserId(portal.project));
  await page.getByLabel(t.recover.captcha, { exact: true }).fill(answer);
  await page.getByRole("button", { name: t.recover.next, exact: true }).click();
  await expectStep(page, portal, inspect, "reason");
});

test("after “Nieuwe code” the player speaks the new challenge, and its answer is accepted", async ({ page, portal, inspect }) => {
  const { language: lang, t } = portal;
  await page.goto(`/${lang}/recover`);
  await expectStep(page, portal, inspect, "identify");
  const first = await player(page, portal);
  const userId = unknownUserId(portal.project);
  await page.getByLabel(t.recover.userId, { exact: true }).fill(userId);
  await page.getByRole("button", { name: t.recover.newCode }).click();
  await expect.poll(async () => (await player(page, portal)).token).not.toBe(first.token);
  await expect(page).toHaveURL(`/${lang}/recover`);
  await inspect(page);
  const second = await player(page, portal);
  const answer = await listen(page, portal, second.src, second.token);
  await expect(page.getByLabel(t.recover.userId, { exact: true })).toHaveValue(userId);
  await page.getByLabel(t.recover.captcha, { exact: true }).fill(answer);
  await page.getByRole("button", { name: t.recover.next, exact: true }).click();
  await expectStep(page, portal, inspect, "reason");
});

test("Back after “Nieuwe code” shows a page again (no ERR_CACHE_MISS)", async ({ page, portal, inspect }) => {
  const { language: lang, t } = portal;
  await page.goto(`/${lang}`);
  await inspect(page);
  await page.goto(`/${lang}/recover`);
  await expectStep(page, portal, inspect, "identify");
  const first = await player(page, portal);
  await page.getByRole("button", { name: t.recover.newCode }).click();
  await expect.poll(async () => (await player(page, portal)).token).not.toBe(first.token);
  // Without JavaScript "Nieuwe code" was a form post, so Back leads to the identify page before it (loaded afresh);
  // with JavaScript it was no navigation, so Back leads to the page before the wizard.
  const back = await page.goBack();
  expect(back?.status()).toBe(200);
  await expect(page).toHaveURL(portal.js ? `/${lang}` : `/${lang}/recover`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await inspect(page);
});
