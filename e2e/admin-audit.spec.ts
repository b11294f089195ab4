// The audit log (issue #5, "Done when"): a user resets their password in another browser; an administrator signs in
// (password + SMS code from the outbox), filters by that user, sees the rows, opens the attempt's timeline with every
// step, and exports a CSV holding the same rows. A hostile user agent shows as text on the page and as a defused cell
// in the CSV. In Dutch and English, with JavaScript on and off (the projects).
import { randomBytes } from "node:crypto";
import { adminText, signInAsAdmin } from "./fixtures/admin";
import { auditTable, auditText, exportCsv, shownRows } from "./fixtures/audit";
import { codeIn, phone } from "./fixtures/outbox";
import { expect, journeyStep, test, userBrowser } from "./fixtures/portal";
import { chooseReason, choosePassword, enterCode, fillIdentify, submitNumber } from "./fixtures/recovery";
import { attemptSignIn } from "./fixtures/sign-in";
import { e2eUser, unknownUserId } from "./fixtures/users";

// One administrator signs in per test and reads its code from the outbox: the tests take turns.
test.describe.configure({ mode: "default" });

/** The steps of a reset by SMS, in order (delivery events are checked apart: they are written after the response). */
const RESET_STEPS = [
  "recovery.started",
  "recovery.intent_chosen",
  "recovery.number_checked",
  "recovery.code_sent",
  "recovery.code_verified",
  "recovery.password_rejected",
  "password.reset",
];

test("an administrator finds a user's reset: the user's rows, the attempt's timeline with every step, a CSV with the same rows", async ({
  page,
  browser,
  portal,
  inspect,
  baseURL,
}) => {
  const { language: lang } = portal;
  const user = e2eUser("audited", portal.project);

  await journeyStep("the user resets their password in another browser", async () => {
    const context = await browser.newContext(userBrowser(portal, baseURL));
    const userPage = await context.newPage();
    const inbox = await phone(userPage.request, user.recipient);
    await userPage.goto(`/${lang}/recover?intent=reset`);
    await fillIdentify(userPage, portal, user.email);
    await expect(userPage).toHaveURL(`/${lang}/recover/reason`);
    await chooseReason(userPage, portal, "reset");
    await expect(userPage).toHaveURL(`/${lang}/recover/verify`);
    await submitNumber(userPage, portal, "sms", user.mobile);
    await expect(userPage).toHaveURL(`/${lang}/recover/code`);
    await enterCode(userPage, portal, codeIn(await inbox.next({ purpose: "code", channel: "sms" })));
    await expect(userPage).toHaveURL(`/${lang}/recover/password`);
    // First a password that breaks several rules: the timeline's longest reason (a list of rules) must still fit.
    await choosePassword(userPage, portal, "kort", "kort1");
    await expect(userPage.getByRole("main").getByRole("alert")).toBeVisible();
    await choosePassword(userPage, portal, `Duin-${randomBytes(4).toString("hex")}-7Q`);
    await expect(userPage).toHaveURL(`/${lang}/recover/done`);
    await inbox.next({ purpose: "notification", channel: "sms" });
    await context.close();
  });

  await journeyStep("the administrator signs in", () => signInAsAdmin(page, portal, inspect));

  let flowHref = "";
  await journeyStep("the audit log, filtered by the user's ID, shows the reset newest first", async () => {
    await page
      .getByRole("navigation", { name: adminText(portal, "shell.nav") })
      .getByRole("link", { name: adminText(portal, "shell.audit") })
      .click();
    await expect(page).toHaveURL(`/${lang}/admin/audit`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(auditText(portal, "title"));
    await inspect(page);

    await page.getByLabel(auditText(portal, "filters.user"), { exact: true }).fill(user.email);
    await page.getByRole("button", { name: auditText(portal, "filters.submit"), exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/${lang}/admin/audit\\?.*user=${encodeURIComponent(user.email)}`));
    await inspect(page);

    const rows = await shownRows(auditTable(page, portal));
    const newestReset = rows.findIndex((r) => r.event === "password.reset");
    expect(newestReset, "a password.reset row").toBeGreaterThanOrEqual(0);
    // Newest first: this attempt's steps appear in reverse order above any earlier run's.
    const times = rows.map((r) => r.at);
    expect([...times].sort().reverse()).toEqual(times);
    const reset = auditTable(page, portal).locator('tbody tr[data-event="password.reset"]').first();
    await expect(reset).toContainText(user.email);
    await expect(reset).toContainText(auditText(portal, "events.password.reset"));
    await expect(reset).toContainText(auditText(portal, "outcomes.success"));
    const link = reset.getByRole("link", { name: new RegExp(auditText(portal, "table.flowLink", { id: "" }).replace("…", "")) });
    flowHref = (await link.getAttribute("href"))!;
    expect(flowHref).toMatch(new RegExp(`^/${lang}/admin/audit/flows/[0-9a-f-]{36}$`));
  });

  await journeyStep("the export holds the same rows as the filtered page", async () => {
    const csv = await exportCsv(page, portal);
    expect(csv.name).toMatch(/^toegang-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(csv.bom).toBe(true);
    const rows = await shownRows(auditTable(page, portal));
    const morePages = await page.getByRole("link", { name: auditText(portal, "paging.older") }).count();
    if (!morePages) expect(csv.rows).toHaveLength(rows.length);
    expect(csv.rows.slice(0, rows.length).map((r) => ({ at: r.timeUtc, event: r.event }))).toEqual(rows);
    expect(new Set(csv.rows.map((r) => r.account))).toEqual(new Set([user.email]));
  });

  await journeyStep("the attempt's timeline shows every step in order, with the time since the start", async () => {
    await auditTable(page, portal).locator(`a[href="${flowHref}"]`).first().click();
    await expect(page).toHaveURL(flowHref);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(auditText(portal, "timeline.title"));
    await inspect(page);
    const steps = page.getByRole("table").locator("tbody tr");
    const events = await steps.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-event")!));
    expect(events.filter((e) => !e.startsWith("message."))).toEqual(RESET_STEPS);
    // The code's SMS and the "password changed" SMS, each handed to the transport.
    expect(events.filter((e) => e === "message.handed_over")).toHaveLength(2);
    await expect(steps.first()).toContainText(auditText(portal, "events.recovery.started"));
    await expect(steps.first()).toContainText(/\+0[.,]0 s/);
    await expect(page.getByRole("main")).toContainText(user.email);
    // The whole table inside a 1280 px window: the rejected password's list of rules wraps in its cell.
    await page.setViewportSize({ width: 1280, height: 800 });
    const width = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(width.scroll, "no horizontal scroll at 1280 px").toBeLessThanOrEqual(width.client);
  });
});

test("a hostile user agent is shown as text on the page and defused in the CSV; nothing in it runs", async ({
  page,
  browser,
  portal,
  inspect,
  baseURL,
}) => {
  // A failed sign-in in another browser, then the administrator's sign-in by SMS code and the audit page with its checks:
  // two visits in one test, so twice the default budget.
  test.setTimeout(120_000);
  const { language: lang } = portal;
  // A formula first (for the spreadsheet), then markup and script (for the page).
  const hostile = `=HYPERLINK("http://evil.example","klik")<img src=x onerror=alert(1)><script>alert(1)</script>"'`;
  const typed = unknownUserId(portal.project);

  const context = await browser.newContext(userBrowser(portal, baseURL, { userAgent: hostile }));
  const visitor = await context.newPage();
  await visitor.goto(`/${lang}`);
  await attemptSignIn(visitor, portal, typed, "Verkeerd-wachtwoord-1");
  await context.close();

  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await signInAsAdmin(page, portal, inspect);
  const filtered = `/${lang}/admin/audit?user=${encodeURIComponent(typed)}`;
  await page.goto(filtered);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(auditText(portal, "title"));
  await inspect(page);

  const row = auditTable(page, portal).locator('tbody tr[data-event="sign_in.failed"]').first();
  // Shortened in the row, the full text on demand (a disclosure, no JavaScript needed) and as the tooltip.
  const agentCell = row.locator("td").nth(7);
  const agent = agentCell.locator("summary");
  await expect(agent).toHaveAttribute("title", hostile);
  await expect(agent).toContainText(`${hostile.slice(0, 32)}…`);
  await expect(agentCell.getByText(hostile, { exact: true })).toBeHidden();
  await agent.click();
  await expect(agentCell.getByText(hostile, { exact: true })).toBeVisible();
  // The CSV's result column says what the page says.
  await expect(row).toContainText(auditText(portal, "outcomes.failure"));
  await expect(row).toContainText(auditText(portal, "table.unknownId", { hash: "" }).replace("…)", ""));
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await page.getByRole("main").locator("script").count()).toBe(0);

  const csv = await exportCsv(page, portal);
  expect(csv.rows.length).toBeGreaterThanOrEqual(1);
  expect(csv.rows[0]).toMatchObject({
    event: "sign_in.failed",
    outcome: auditText(portal, "outcomes.failure"),
    userAgent: `'${hostile}`,
    account: "",
  });
  expect(csv.rows[0]!.unknownIdHash).toMatch(/^[0-9a-f]{64}$/);
  expect(dialogs).toEqual([]);
  await expect(page).toHaveURL(filtered);
});
