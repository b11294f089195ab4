// Security headers on every page, and cross-site form posts refused before they reach a server action.
import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test } from "./fixtures/portal";
import { e2eUser } from "./fixtures/users";

function nonceOf(csp: string): string {
  const match = /script-src [^;]*'nonce-([A-Za-z0-9+/=_-]+)'/.exec(csp);
  expect(match, `no script nonce in CSP: ${csp}`).not.toBeNull();
  return match![1]!;
}

for (const path of ["", "/help", "/recover"]) {
  test(`security headers on /{locale}${path}: CSP with a fresh nonce on every script, nosniff, no-store`, async ({
    page,
    request,
    portal,
    inspect,
  }) => {
    const url = `/${portal.language}${path}`;
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    const headers = response!.headers();

    const csp = headers["content-security-policy"] ?? "";
    const nonce = nonceOf(csp);
    for (const directive of ["'strict-dynamic'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"]) {
      expect(csp).toContain(directive);
    }
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["cache-control"]).toContain("no-store");
    // Nothing goes to other sites ("same-origin" keeps the portal's own no-JavaScript posts working).
    expect(["no-referrer", "same-origin"]).toContain(headers["referrer-policy"]);
    expect(headers["strict-transport-security"]).toMatch(/max-age=\d+/);

    // Every script the page ships carries this response's nonce.
    const html = await response!.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((tag) => !tag.includes(`nonce="${nonce}"`))).toEqual([]);

    // A new request gets a new nonce.
    const again = await request.get(url);
    expect(nonceOf(again.headers()["content-security-policy"] ?? "")).not.toBe(nonce);

    await inspect(page);
  });
}

/** The sign-in form's fields exactly as the page renders them (the server action's hidden fields included). */
async function signInFormFields(page: Page, portal: { language: string; project: string }) {
  const user = e2eUser("signin", portal.project);
  const fields: Record<string, string> = {};
  for (const input of await page.locator("main form input[type=hidden]").all()) {
    const name = await input.getAttribute("name");
    if (name) fields[name] = (await input.getAttribute("value")) ?? "";
  }
  expect(Object.keys(fields).length, "the form has the server action's hidden fields").toBeGreaterThan(0);
  return { ...fields, username: user.email, password: user.password };
}

async function postSignIn(request: APIRequestContext, url: string, form: Record<string, string>, headers: Record<string, string>) {
  return request.post(url, { multipart: form, headers, maxRedirects: 0 });
}

test("a cross-site post of the sign-in form is refused with 403; the same post from the portal itself signs in", async ({
  page,
  request,
  portal,
  inspect,
  baseURL,
}) => {
  const url = `/${portal.language}`;
  await page.goto(url);
  await inspect(page);
  const form = await signInFormFields(page, portal);

  const crossSite: Record<string, string>[] = [{ Origin: "https://evil.example" }, { Origin: "null" }, { "Sec-Fetch-Site": "cross-site" }];
  for (const headers of crossSite) {
    const refused = await postSignIn(request, url, form, headers);
    expect(refused.status(), JSON.stringify(headers)).toBe(403);
    expect(refused.headers()["set-cookie"] ?? "", "no session cookie for a refused post").not.toMatch(/toegang-session/);
  }

  // Control: the identical post from the portal's own origin is accepted and signs in (so the 403 came from the origin check).
  const accepted = await postSignIn(request, url, form, { Origin: new URL(baseURL!).origin });
  expect(accepted.status()).toBe(303);
  expect(accepted.headers()["location"]).toMatch(new RegExp(`/${portal.language}/home$`));
  expect(accepted.headers()["set-cookie"] ?? "").toMatch(/__Host-toegang-session=/);
});
