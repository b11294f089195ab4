// A user without JavaScript, over plain HTTP: a cookie jar, forms read from the page the portal rendered (hidden fields
// of Next's server actions included) and posted as a browser would, 303s followed. Cheap enough for dozens of users at
// once, where a browser each would not fit on two cores. Used by the server specs that put a portal under load.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { e2eTestSettings } from "../../playwright.config";
import { noteSecret, type SecretKind } from "../fixtures/canaries";
import { ROOT, decode, inherited } from "./portal-process";

export const CAPTCHA_ANSWER = e2eTestSettings.CAPTCHA_TEST_ANSWER!;

const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decode(m[1]!) : undefined;
};

/** The fields a browser would post for the form holding `field`: hidden and filled inputs, checked radios, the first named submit button. */
export function formFields(html: string, field: string): Array<[string, string]> {
  const forms = [...html.matchAll(/<form[\s\S]*?<\/form>/g)].map((m) => m[0]);
  const form = forms.find((f) => f.includes(`name="${field}"`));
  if (!form)
    throw new Error(
      `no form with a field "${field}" on the page:\n${html
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .slice(0, 600)}`,
    );
  const fields: Array<[string, string]> = [];
  for (const [tag] of form.matchAll(/<input[^>]*>/g)) {
    const name = attr(tag, "name");
    if (!name) continue;
    const type = attr(tag, "type") ?? "text";
    if ((type === "radio" || type === "checkbox") && !/\schecked(=|\s|>|\/)/.test(tag)) continue;
    fields.push([name, attr(tag, "value") ?? ""]);
  }
  const button = [...form.matchAll(/<button[^>]*>/g)].map((m) => m[0]).find((tag) => attr(tag, "name") && attr(tag, "type") === "submit");
  if (button) fields.push([attr(button, "name")!, attr(button, "value") ?? ""]);
  return fields;
}

/** The page's visible text (scripts, which carry the translations of client components, and tags removed). */
export const visibleText = (html: string) =>
  decode(
    html
      .replace(/<script[\s\S]*?<\/script>/g, " ")
      .replace(/<[^>]+>/g, " ")
      .replace(/\s+/g, " "),
  );

/** The form fields that hold a secret, and its kind. */
const SECRET_FIELDS: Record<string, SecretKind> = { password: "password", confirmation: "password", code: "code", phone: "phone" };

export class HttpUser {
  private cookies = new Map<string, string>();
  constructor(public base: string) {}

  /** Goes on at another address with the same cookies (another instance of the portal behind one name). */
  moveTo(base: string): this {
    this.base = base;
    return this;
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  private take(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** GET, following redirects; the final path and page. */
  async get(path: string): Promise<{ path: string; status: number; html: string }> {
    let url = new URL(path, this.base);
    for (let hops = 0; hops < 5; hops++) {
      const res = await fetch(url, { headers: { Cookie: this.cookieHeader() }, redirect: "manual" });
      this.take(res);
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        url = new URL(location, url);
        continue;
      }
      return { path: url.pathname + url.search, status: res.status, html: await res.text() };
    }
    throw new Error(`too many redirects from ${path}`);
  }

  /** Opens `path`, fills the form holding `values`' first field, posts it, follows the answer's redirect. */
  async submit(path: string, values: Record<string, string>): Promise<{ path: string; status: number; html: string }> {
    const page = await this.get(path);
    if (page.status !== 200) throw new Error(`GET ${path} answered ${page.status}`);
    const fields = formFields(page.html, Object.keys(values)[0]!).filter(([name]) => !(name in values));
    // What this user types, for the canary check: no log line of the portal may hold it.
    for (const [name, value] of Object.entries(values)) if (name in SECRET_FIELDS) noteSecret(SECRET_FIELDS[name]!, value);
    // multipart/form-data, as React marks a server action's form (Next reads a script-less action only in that form).
    const body = new FormData();
    for (const [name, value] of [...fields, ...Object.entries(values)]) body.append(name, value);
    const url = new URL(page.path, this.base);
    const res = await fetch(url, { method: "POST", body, headers: { Cookie: this.cookieHeader() }, redirect: "manual" });
    this.take(res);
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      await res.arrayBuffer();
      return this.get(new URL(location, url).pathname);
    }
    return { path: url.pathname, status: res.status, html: await res.text() };
  }
}

/** The newest code the outbox holds for a number (E.164), from the portal's /dev/outbox page (loopback only). */
export async function codeFor(base: string, e164: string): Promise<string> {
  const html = await (await fetch(`${base}/dev/outbox`)).text();
  const row = [...html.matchAll(/<tr[^>]*data-recipient="([^"]*)"[^>]*data-purpose="([^"]*)"[\s\S]*?<\/tr>/g)].find(
    (m) => m[1] === e164 && /code/.test(m[2]!),
  );
  const code = row && /\b(\d{6})\b/.exec(row[0].replace(/<time[\s\S]*?<\/time>/, ""))?.[1];
  if (!code) throw new Error(`no code in the outbox for ${e164}`);
  noteSecret("code", code);
  return code;
}

/** The operator CLI (`npm run users|audit|db -- …`) against the portal's database, as the operator would run it. */
export async function cli(script: "users" | "audit" | "db", args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [`${ROOT}/node_modules/tsx/dist/cli.mjs`, "--conditions=react-server", `scripts/${script}.ts`, ...args],
    { cwd: ROOT, env: { ...inherited(), NEXT_TELEMETRY_DISABLED: "1", ...env }, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout;
}
