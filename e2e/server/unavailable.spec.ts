// PostgreSQL stopped for 20 s in the middle of a recovery flow (issue #11, Done when): the portal runs on a throwaway
// cluster of the test's own (e2e/server/pg-cluster.ts, never the shared server), which is stopped with `pg_ctl stop -m
// fast` — every pooled connection ends, as in a database restart or failover. While it is down, a page answers the
// translated 503 page with Retry-After and a reference that is in the log, in a browser without JavaScript and in one
// with JavaScript (the client router's request), and readiness says 503. The number step's form posted during the
// outage answers the same: without JavaScript the 503 page with Retry-After and the post's request id; with JavaScript
// the server action fails into error.tsx, which says "temporarily unavailable" with the action request's id (the id of
// its log lines, 503 and Retry-After on the answer), and no code is sent. Once the cluster is back, the same flow
// completes — number, code, new password — without a restart of the portal and without a failed request.
import { randomBytes } from "node:crypto";
import { expect, test, type Browser, type Page } from "@playwright/test";
import nl from "../../messages/nl.json";
import { CAPTCHA_ANSWER, HttpUser, codeFor } from "./http-user";
import { throwawayCluster, type Cluster } from "./pg-cluster";
import { startPortal, type Portal } from "./portal-process";

/** The outage the issue names; the checks below take a few seconds of it, the rest is waited out. */
const OUTAGE_MS = 20_000;

/** A browser with the user's cookies, on the page the flow is at. */
async function browserAt(browser: Browser, base: string, cookies: string, path: string, javaScriptEnabled: boolean) {
  const context = await browser.newContext({ baseURL: base, javaScriptEnabled, locale: "nl-NL" });
  await context.addCookies(
    cookies.split("; ").map((pair) => {
      const [name, ...value] = pair.split("=");
      return { name: name!, value: value.join("="), url: base };
    }),
  );
  const page = await context.newPage();
  return { context, page, response: await page.goto(path) };
}

/** Jan's number by SMS on the verify page ("Tekst"), as a user types it; the answer to that post. */
async function postNumber(page: Page) {
  await page.getByRole("radio", { name: "Sms-bericht naar mijn telefoon verzenden" }).check();
  await page.getByLabel("Mobiel telefoonnummer", { exact: true }).fill("0612345656");
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/nl/recover/verify"),
    page.getByRole("button", { name: "Tekst", exact: true }).click(),
  ]);
  return response;
}

test("PostgreSQL stopped for 20 s mid-flow: 503 'temporarily unavailable' (JS on and off), then the same flow completes", async ({
  browser,
}) => {
  // initdb and two cluster starts (~6 s), a portal start, the 20 s outage and the flow: about 45 s.
  test.setTimeout(120_000);
  let cluster: Cluster | undefined;
  let portal: Portal | undefined;
  try {
    cluster = await throwawayCluster();
    portal = await startPortal({
      DATABASE_URL: cluster.url,
      SESSION_SECRET: randomBytes(24).toString("hex"),
      HASH_KEY: randomBytes(24).toString("hex"),
      SEED_DEMO_USERS: "true",
      SMS_PROVIDER: "outbox",
      CAPTCHA_TEST_ANSWER: CAPTCHA_ANSWER,
    });
    const base = portal.url;
    const requests = () => portal!.lines.filter((l) => typeof l === "object" && l.msg === "request");
    /** The portal's log lines of one request. */
    const logged = (reqId: string | null) => portal!.lines.filter((l) => typeof l === "object" && reqId && l.reqId === reqId);

    // The flow's first steps while everything works.
    const user = new HttpUser(base);
    let page = await user.submit("/nl/recover", { userId: "jan.jansen@flynth.nl", captcha: CAPTCHA_ANSWER });
    expect(page.path).toBe("/nl/recover/reason");
    page = await user.submit(page.path, { intent: "reset" });
    expect(page.path).toBe("/nl/recover/verify");
    const cookies = user.cookieHeader();
    // A browser with JavaScript on the same step, before the outage; two more on its form, with and without JavaScript.
    const withJs = await browserAt(browser, base, cookies, "/nl/recover/verify", true);
    expect(withJs.response?.status()).toBe(200);
    const formNoJs = await browserAt(browser, base, cookies, "/nl/recover/verify", false);
    const formJs = await browserAt(browser, base, cookies, "/nl/recover/verify", true);
    for (const { response } of [formNoJs, formJs]) expect(response?.status()).toBe(200);

    await cluster.stop();
    const down = Date.now();

    // Without JavaScript: a page load answers the Dutch 503 page, with Retry-After and the reference that is in the log.
    const noJs = await browserAt(browser, base, cookies, "/nl/recover/verify", false);
    expect(noJs.response?.status()).toBe(503);
    expect(await noJs.response?.headerValue("retry-after")).toBe("30");
    await expect(noJs.page.getByRole("heading", { level: 1 })).toHaveText("Tijdelijk niet beschikbaar");
    const reference = await noJs.page.locator("[data-reference]").getAttribute("data-reference");
    expect(reference).toBe(await noJs.response?.headerValue("x-request-id"));
    expect(portal.lines.some((l) => typeof l === "object" && l.reqId === reference && /dependency unreachable/.test(String(l.msg)))).toBe(
      true,
    );
    await noJs.context.close();
    // With JavaScript: a client navigation (the language switch) during the outage shows the English page.
    await withJs.page.getByRole("link", { name: "Switch to English" }).click();
    await expect(withJs.page.getByRole("heading", { level: 1 })).toHaveText("Temporarily unavailable");
    await withJs.context.close();

    // The number step's form posted during the outage. Without JavaScript: the Dutch 503 page, Retry-After and the
    // post's request id as reference, the id of its log lines. Nothing is sent.
    const noJsPost = await postNumber(formNoJs.page);
    expect(noJsPost.request().method()).toBe("POST");
    expect(noJsPost.request().headers()["next-action"]).toBeUndefined();
    expect(noJsPost.status()).toBe(503);
    expect(await noJsPost.headerValue("retry-after")).toBe("30");
    await expect(formNoJs.page.getByRole("heading", { level: 1 })).toHaveText("Tijdelijk niet beschikbaar");
    await expect(formNoJs.page.getByText(nl.ErrorPage.unavailableBody)).toBeVisible();
    const noJsReference = await formNoJs.page.locator("[data-reference]").getAttribute("data-reference");
    expect(noJsReference).toBe(await noJsPost.headerValue("x-request-id"));
    expect(logged(noJsReference)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: "request", method: "POST", route: "/nl/recover/verify", status: 503 }),
        expect.objectContaining({ msg: expect.stringMatching(/dependency unreachable/) }),
      ]),
    );
    await formNoJs.context.close();
    // With JavaScript: the server action fails; the page (error.tsx) says "temporarily unavailable" in Dutch, not a blank
    // or "something went wrong", with the action request's id as reference (the digest is the request id,
    // server/log.mjs), the id of that request's log lines; the answer is 503 with Retry-After.
    const jsPost = await postNumber(formJs.page);
    expect(jsPost.request().headers()["next-action"]).toBeTruthy();
    expect(jsPost.status()).toBe(503);
    expect(await jsPost.headerValue("retry-after")).toBe("30");
    await expect(formJs.page.getByRole("heading", { level: 1 })).toHaveText("Tijdelijk niet beschikbaar");
    await expect(formJs.page.getByText(nl.ErrorPage.unavailableBody)).toBeVisible();
    const jsReference = await formJs.page.locator("[data-reference]").getAttribute("data-reference");
    await expect(formJs.page.locator("[data-reference]")).toContainText(jsReference!);
    expect(jsReference).toBe(await jsPost.headerValue("x-request-id"));
    expect(logged(jsReference)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: "request", method: "POST", route: "/nl/recover/verify", status: 503 }),
        expect.objectContaining({ msg: expect.stringMatching(/dependency unreachable/) }),
      ]),
    );
    await formJs.context.close();

    const ready = await fetch(`${base}/api/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: "unavailable", checks: { database: "unreachable" } });
    expect((await fetch(`${base}/api/health/live`)).status).toBe(200);

    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - down))));
    // Still down at the end of the 20 s (the portal did not recover on its own from a cache).
    expect((await fetch(`${base}/api/health/ready`)).status).toBe(503);
    await cluster.start();
    // Neither post during the outage sent a code.
    await expect(codeFor(base, "+31612345656")).rejects.toThrow(/no code in the outbox/);
    const before = requests().length;

    // The same flow carries on: number, code, new password, done — every request answered without an error.
    page = await user.submit(page.path, { phone: "0612345656", channel: "sms" });
    expect(page.path).toBe("/nl/recover/code");
    page = await user.submit(page.path, { code: await codeFor(base, "+31612345656") });
    expect(page.path).toBe("/nl/recover/password");
    const password = `Zeewering-${randomBytes(4).toString("hex")}!`;
    page = await user.submit(page.path, { password, confirmation: password });
    expect(page.path).toBe("/nl/recover/done");
    const after = requests().slice(before);
    expect(after.length).toBeGreaterThanOrEqual(8);
    expect(after.filter((l) => typeof l === "object" && Number(l.status) >= 500)).toEqual([]);
    expect((await fetch(`${base}/api/health/ready`)).status).toBe(200);
    expect(portal.process.exitCode).toBeNull();
    expect(await portal.stop()).toBe(0);
  } finally {
    await portal?.stop("SIGKILL");
    portal?.cleanUp();
    await cluster?.destroy();
  }
});
