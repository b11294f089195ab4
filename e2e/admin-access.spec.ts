// Access to the admin area (issue #5, "Done when"): for EVERY admin page, route handler and server action, an anonymous
// visitor is sent to the admin sign-in, a signed-in employee without admin rights gets 403, an administrator gets in.
// Pages (app/[locale]/admin/**/page.tsx, sign-in pages aside) and route handlers (app/api/admin/**/route.ts) are found
// on disk, so ones added later are covered without touching this file.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { APIRequestContext, APIResponse } from "@playwright/test";
import { adminText, signInAsAdmin } from "./fixtures/admin";
import { expect, test } from "./fixtures/portal";
import { signIn } from "./fixtures/sign-in";
import { e2eUser } from "./fixtures/users";

const app = path.join(__dirname, "..", "app");
/** Stands in for a dynamic segment ([id]) in a discovered path. */
const SAMPLE_ID = "00000000-0000-4000-8000-000000000000";

function filesNamed(dir: string, name: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) =>
    e.isDirectory() ? filesNamed(path.join(dir, e.name), name) : e.name === name ? [path.join(dir, e.name)] : [],
  );
}

/** The URL path of a page or route file: route groups dropped, dynamic segments filled with a sample. */
function urlPath(root: string, file: string): { path: string; dynamic: boolean } {
  const segments = path
    .relative(root, path.dirname(file))
    .split(path.sep)
    .filter((s) => s && !/^\(.*\)$/.test(s));
  const dynamic = segments.some((s) => /^\[.*\]$/.test(s));
  return { path: "/" + segments.map((s) => (/^\[.*\]$/.test(s) ? SAMPLE_ID : s)).join("/"), dynamic };
}

/** Every admin page an administrator uses (the sign-in steps and the 403 page are for everyone). */
const adminPages = filesNamed(path.join(app, "[locale]", "admin"), "page.tsx")
  .map((f) => urlPath(path.join(app, "[locale]"), f))
  .filter((p) => !p.path.startsWith("/admin/sign-in") && p.path !== "/admin/forbidden");

/** Every admin route handler with the HTTP methods it exports. */
const adminRoutes = filesNamed(path.join(app, "api", "admin"), "route.ts").flatMap((f) => {
  const source = readFileSync(f, "utf8");
  const methods = [...source.matchAll(/export\s+(?:async\s+function|const|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!);
  return methods.map((method) => ({ ...urlPath(app, f), method }));
});

const location = (r: APIResponse) => r.headers()["location"] ?? "";

test.describe.configure({ mode: "default" });

test("the page and route lists are found on disk", () => {
  expect(adminPages.map((p) => p.path)).toEqual(expect.arrayContaining(["/admin", "/admin/accounts"]));
  for (const route of adminRoutes) expect(route.path).toMatch(/^\/api\/admin\//);
});

test("every admin page and route: anonymous → sign-in, employee → 403, administrator → in", async ({
  page,
  browser,
  request,
  portal,
  inspect,
  baseURL,
}) => {
  // Two sign-ins (employee, administrator by SMS code), then three requests per admin page and route for three callers:
  // dozens of requests and two axe-checked visits in one test, so twice the default budget.
  test.setTimeout(120_000);
  const lang = portal.language;

  // An employee signed in to the portal (the Werkplek) in this browser…
  const employee = e2eUser("ordinary", portal.project);
  await page.goto(`/${lang}`);
  await inspect(page);
  await signIn(page, portal, employee.email, employee.password);
  await expect(page).toHaveURL(`/${lang}/home`);
  await inspect(page);
  // …and an administrator in another.
  const adminContext = await browser.newContext({ baseURL, javaScriptEnabled: portal.js, locale: lang === "nl" ? "nl-NL" : "en-US" });
  const adminPage = await adminContext.newPage();
  await signInAsAdmin(adminPage, portal, inspect, { role: "admin-access" });
  const as = { anonymous: request, employee: page.request, admin: adminPage.request };

  for (const { path: p, dynamic } of adminPages) {
    const url = `/${lang}${p}`;
    const anonymous = await as.anonymous.get(url, { maxRedirects: 0 });
    expect(anonymous.status(), `anonymous ${url}`).toBe(307);
    expect(location(anonymous), `anonymous ${url}`).toBe(`/${lang}/admin/sign-in?next=${encodeURIComponent(p)}`);

    const employeeAnswer = await as.employee.get(url, { maxRedirects: 0 });
    expect(employeeAnswer.status(), `employee ${url}`).toBe(307);
    expect(location(employeeAnswer), `employee ${url}`).toBe(`/${lang}/admin/forbidden`);
    const refused = await as.employee.get(url);
    expect(refused.status(), `employee ${url}, redirect followed`).toBe(403);
    expect(await refused.text()).toContain(`<h1>${adminText(portal, "forbidden.title")}</h1>`);

    const admin = await as.admin.get(url, { maxRedirects: 0 });
    // A sample id for a dynamic segment may name nothing: then "not found" is right, but never a refusal.
    if (dynamic) expect([200, 404], `admin ${url}`).toContain(admin.status());
    else expect(admin.status(), `admin ${url}`).toBe(200);
    if (admin.status() === 200) expect(await admin.text(), `admin ${url}`).toContain(adminText(portal, "shell.signOut"));
  }

  for (const { path: p, method } of adminRoutes) {
    const call = (who: APIRequestContext) => who.fetch(p, { method, maxRedirects: 0, headers: { Origin: new URL(baseURL!).origin } });
    const anonymous = await call(as.anonymous);
    expect(anonymous.status(), `anonymous ${method} ${p}`).toBe(303);
    expect(location(anonymous), `anonymous ${method} ${p}`).toMatch(/^\/(nl|en)\/admin\/sign-in$/);
    expect((await call(as.employee)).status(), `employee ${method} ${p}`).toBe(403);
    const admin = await call(as.admin);
    expect(admin.status(), `admin ${method} ${p}`).not.toBe(403);
    expect(location(admin), `admin ${method} ${p}`).not.toMatch(/\/admin\/sign-in/);
  }

  // What the employee's browser shows: the 403 page, rendered on the server (so also without JavaScript).
  const shown = await page.goto(`/${lang}/admin`);
  expect(shown?.status()).toBe(403);
  await expect(page).toHaveURL(`/${lang}/admin/forbidden`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(adminText(portal, "forbidden.title"));
  await inspect(page);
  await adminContext.close();
});

test("an anonymous visitor is sent to the admin sign-in and, signed in, lands on the page asked for", async ({ page, portal, inspect }) => {
  const lang = portal.language;
  await page.goto(`/${lang}/admin/accounts`);
  await expect(page).toHaveURL(`/${lang}/admin/sign-in?next=%2Fadmin%2Faccounts`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(adminText(portal, "signIn.title"));
  await inspect(page);
  await signInAsAdmin(page, portal, inspect, { role: "admin-access", next: "/admin/accounts" });
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(adminText(portal, "accounts.title"));
});

/** The server-action forms of an HTML page: each form's hidden fields (the action's id among them). */
function actionForms(html: string): Record<string, string>[] {
  const attr = (tag: string, name: string) =>
    new RegExp(`\\s${name}="([^"]*)"`)
      .exec(tag)?.[1]
      ?.replace(/&quot;/g, '"')
      .replace(/&amp;/g, "&") ?? null;
  const forms: Record<string, string>[] = [];
  for (const [, body] of html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/g)) {
    const fields: Record<string, string> = {};
    for (const [tag] of body!.matchAll(/<(?:input|button)\b[^>]*>/g)) {
      const name = attr(tag, "name");
      if (name?.startsWith("$ACTION")) fields[name] = attr(tag, "value") ?? "";
    }
    if (Object.keys(fields).length) forms.push(fields);
  }
  return forms;
}

/** The action id in a form's hidden fields ($ACTION_ID_<id>, or inside $ACTION_<n>:0 for a form with state). */
function actionId(fields: Record<string, string>): string {
  const direct = Object.keys(fields).find((k) => k.startsWith("$ACTION_ID_"));
  if (direct) return direct.slice("$ACTION_ID_".length);
  const bound = Object.entries(fields).find(([k]) => /^\$ACTION_\d+:0$/.test(k));
  return (JSON.parse(bound![1]) as { id: string }).id;
}

test("every server action on the admin pages refuses direct posts from anonymous visitors and employees, and does nothing", async ({
  page,
  browser,
  request,
  portal,
  inspect,
  baseURL,
}) => {
  // Two sign-ins (administrator by SMS code, employee), then every admin page's server actions posted by two callers:
  // dozens of requests and two axe-checked visits in one test, so twice the default budget.
  test.setTimeout(120_000);
  const lang = portal.language;
  const origin = new URL(baseURL!).origin;
  await signInAsAdmin(page, portal, inspect, { role: "admin-access" });
  const employeeContext = await browser.newContext({ baseURL });
  const employee = e2eUser("ordinary", portal.project);
  const employeePage = await employeeContext.newPage();
  await employeePage.goto(`/${lang}`);
  await inspect(employeePage);
  await signIn(employeePage, portal, employee.email, employee.password);
  await expect(employeePage).toHaveURL(`/${lang}/home`);
  await inspect(employeePage);

  // What the administrator's pages offer, as the browser would post it.
  const posts: { url: string; fields: Record<string, string> }[] = [];
  for (const { path: p, dynamic } of adminPages) {
    if (dynamic) continue;
    const url = `/${lang}${p}`;
    const html = await (await page.request.get(url)).text();
    for (const fields of actionForms(html)) posts.push({ url, fields });
  }
  expect(posts.length, "the admin pages have server-action forms (sign-out at least)").toBeGreaterThan(0);

  // Where a refused action sends the browser (a sign-out that did run would go to ?signedOut=1 instead).
  for (const [who, client, target] of [
    ["anonymous", request, `/${lang}/admin/sign-in(\\?expired=1)?`],
    ["employee", employeePage.request, `/${lang}/admin/forbidden`],
  ] as const) {
    for (const { url, fields } of posts) {
      // A plain form post (no JavaScript)…
      const form = await client.post(url, { multipart: fields, headers: { Origin: origin }, maxRedirects: 0 });
      expect(form.status(), `${who}: form post to ${url}`).toBe(303);
      expect(location(form), `${who}: form post to ${url}`).toMatch(new RegExp(`^${target}$`));
      expect(form.headers()["set-cookie"] ?? "", `${who}: no admin cookie`).not.toMatch(/toegang-admin=[^;]/);
      // …and the call React makes with JavaScript.
      const call = await client.post(url, {
        headers: {
          Origin: origin,
          "Next-Action": actionId(fields),
          Accept: "text/x-component",
          "Content-Type": "text/plain;charset=UTF-8",
        },
        data: "[]",
        maxRedirects: 0,
      });
      // React learns about the redirect from this header ("<path>;push" or ";replace").
      expect(call.headers()["x-action-redirect"], `${who}: action call to ${url}`).toMatch(new RegExp(`^${target}(;|$)`));
    }
  }

  // Nothing happened to the administrator's session…
  expect((await page.request.get(`/${lang}/admin`, { maxRedirects: 0 })).status()).toBe(200);
  // …while the same posts from the administrator are carried out (sign-out among them), so the refusals above were real.
  for (const { url, fields } of posts) {
    const own = await page.request.post(url, { multipart: fields, headers: { Origin: origin }, maxRedirects: 0 });
    expect(location(own), `admin: form post to ${url}`).not.toMatch(/\/admin\/forbidden|sign-in\?next=/);
  }
  expect(location(await page.request.get(`/${lang}/admin`, { maxRedirects: 0 }))).toMatch(new RegExp(`^/${lang}/admin/sign-in`));
  await employeeContext.close();
});

test("a spoofed x-middleware-subrequest header changes nothing", async ({ request, portal }) => {
  const lang = portal.language;
  for (const spoof of [
    "proxy:proxy:proxy:proxy:proxy",
    "middleware:middleware:middleware:middleware:middleware",
    "src/middleware:src/middleware:src/middleware:src/middleware:src/middleware",
  ]) {
    const answer = await request.get(`/${lang}/admin`, { headers: { "x-middleware-subrequest": spoof }, maxRedirects: 0 });
    expect(answer.status(), spoof).toBe(307);
    expect(location(answer), spoof).toBe(`/${lang}/admin/sign-in?next=%2Fadmin`);
    // The proxy still ran (its headers are there) and the page still checked.
    expect(answer.headers()["content-security-policy"], spoof).toContain("frame-ancestors 'none'");
    const forbidden = await request.get(`/${lang}/admin/forbidden`, { headers: { "x-middleware-subrequest": spoof } });
    expect(forbidden.status(), spoof).toBe(403);
  }
});
