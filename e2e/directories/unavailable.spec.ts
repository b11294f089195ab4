// A portal whose directory cannot be reached (DIRECTORY=ad, LDAP_URL on a loopback port nobody listens on): signing in
// and starting a reset end on the "cannot reach the account service now" page with status 503, in the visitor's
// language, with and without JavaScript; no code goes out.
import { expect, test } from "../fixtures/portal";
import { readOutbox } from "../fixtures/outbox";
import { fillIdentify } from "../fixtures/recovery";
import { signIn } from "../fixtures/sign-in";

test("sign-in and the wizard's first step answer 503 'cannot reach the account service', and nothing is sent", async ({
  page,
  request,
  portal,
  inspect,
}) => {
  const { language: lang, t } = portal;
  const title = t.message("UnavailablePage.title");
  const outboxBefore = (await readOutbox(request)).length;
  // Without JavaScript the form post is answered with a redirect and the browser loads the page: its status is 503.
  // With JavaScript the server action's redirect may arrive with the page's content, so only the page is checked.
  const unavailable = async (act: () => Promise<void>) => {
    const loaded = portal.js
      ? null
      : page.waitForResponse((r) => new URL(r.url()).pathname === `/${lang}/unavailable` && r.request().method() === "GET");
    await act();
    if (loaded) expect((await loaded).status()).toBe(503);
    await expect(page).toHaveURL(`/${lang}/unavailable`);
  };

  await page.goto(`/${lang}`);
  await inspect(page);
  await unavailable(() => signIn(page, portal, "sanne.visser@flynth.nl", "Zomer-Tulpen-2026"));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(page.getByText(t.message("UnavailablePage.nothingChanged"))).toBeVisible();
  await inspect(page);

  await page.goto(`/${lang}/recover?intent=reset`);
  await inspect(page);
  await unavailable(() => fillIdentify(page, portal, "sanne.visser@flynth.nl"));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);

  // The page itself, as a monitor or proxy sees it.
  const direct = await request.get(`/${lang}/unavailable`);
  expect(direct.status()).toBe(503);
  expect(direct.headers()["retry-after"]).toBe("120");
  expect(await readOutbox(request)).toHaveLength(outboxBefore);
});
