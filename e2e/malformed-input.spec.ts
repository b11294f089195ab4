// Malformed input never yields a 5xx (issue 10, item 7): fast-check throws malformed requests at every server action
// (by its real action id, read from the build's manifest) and every route handler of the production build over HTTP, so
// Next's own action decoding runs: broken and truncated multipart, wrong and huge action ids, wrong content types, NUL
// and control characters, over-long values, files where text belongs, repeated and missing fields. Every answer must be
// below 500, and no typed value may reach the server log. One project runs it (the requests need no browser).
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { test, expect } from "@playwright/test";
import { RUN_DIR, noteSecret } from "./fixtures/canaries";

test.beforeEach(({}, info) => test.skip(info.project.name !== "nl-js", "requests only: one project is enough"));

/** Every server action id of this build (what a form's hidden $ACTION_ID_ field or a Next-Action header names). */
function actionIds(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", ".next", "server", "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, unknown>;
  };
  return Object.keys(manifest.node);
}

/** Pages whose forms post to actions (an action may be posted to any page; these are the ones that have forms). */
const PAGES = [
  "/nl",
  "/en",
  "/nl/recover",
  "/nl/recover/reason",
  "/nl/recover/verify",
  "/nl/recover/code",
  "/nl/recover/password",
  "/nl/admin/sign-in",
  "/nl/admin/sign-in/code",
  "/nl/home",
  "/nl/admin/audit",
];

/** Every route handler, with the methods it answers. */
const ROUTES: { path: string; methods: ("GET" | "POST")[] }[] = [
  { path: "/api/captcha/image", methods: ["GET"] },
  { path: "/api/captcha/audio", methods: ["GET"] },
  { path: "/api/messagebird/reports", methods: ["GET", "POST"] },
  { path: "/api/admin/audit/export", methods: ["GET"] },
  { path: "/api/health", methods: ["GET"] },
  { path: "/dev/outbox", methods: ["GET"] },
  { path: "/dev/message-events", methods: ["GET", "POST"] },
  { path: "/dev/captcha-transcript", methods: ["GET"] },
];

const FIELDS = [
  "userId",
  "captcha",
  "captchaToken",
  "intent",
  "op",
  "channel",
  "phone",
  "code",
  "password",
  "confirmation",
  "username",
  "noscript",
  "h-captcha-response",
  "$ACTION_REF_1",
  "$ACTION_1:0",
  "$ACTION_KEY",
  "0",
  "1",
];

/** Typed values: the nasty kinds, each carrying a canary so the server log can be searched for it afterwards. */
const canaryOf = (n: number) => `CANARY${n.toString(36)}X`;
let canaries = 0;
const nasty = fc
  .oneof(
    fc.constant("\u0000"),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.constantFrom(
      "\u0000abc",
      "a\u0000@example.nl",
      "\u0007\u001b[2J",
      "\r\n\r\n",
      "%00",
      "\uffff\ud800",
      "😀".repeat(50),
      "' or 1=1 --",
      "${7*7}",
      "{{7*7}}",
      "__proto__",
      "constructor",
      "[]",
      "{}",
      "null",
      "-1",
      "1e309",
      "NaN",
    ),
    fc.integer({ min: 255, max: 20_000 }).map((n) => "x".repeat(n)),
    fc.constant(""),
  )
  .map((v) => `${v}${canaryOf(++canaries)}`);

const field = fc.tuple(fc.constantFrom(...FIELDS), nasty);

/** A multipart body by hand, so it can be broken: a wrong boundary, a truncated end, a part without a name, a file. */
function multipart(parts: [string, string][], breakage: string, boundary = "----fuzzBOUNDARY1234"): { body: Buffer; type: string } {
  const chunks = parts.map(([name, value], i) =>
    breakage === "file" && i === 0
      ? `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="x.bin"\r\nContent-Type: application/octet-stream\r\n\r\n${value}\r\n`
      : breakage === "no-name" && i === 0
        ? `--${boundary}\r\nContent-Disposition: form-data\r\n\r\n${value}\r\n`
        : `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  let text = chunks.join("") + `--${boundary}--\r\n`;
  if (breakage === "truncated") text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  if (breakage === "no-end") text = chunks.join("");
  if (breakage === "garbage") text = "this is not multipart at all\u0000";
  const type =
    breakage === "wrong-boundary"
      ? "multipart/form-data; boundary=somethingelse"
      : breakage === "no-boundary"
        ? "multipart/form-data"
        : `multipart/form-data; boundary=${boundary}`;
  return { body: Buffer.from(text, "utf8"), type };
}

const statuses: number[] = [];
const failures: string[] = [];

function note(what: string, status: number) {
  statuses.push(status);
  if (status >= 500) failures.push(`${status} ${what}`);
}

test.describe.configure({ mode: "serial" });

test("server actions: malformed posts never get a 5xx", async ({ request }) => {
  test.setTimeout(300_000); // ~600 requests against a production build on a shared two-core machine
  const ids = actionIds();
  expect(ids.length).toBeGreaterThan(5);
  const actionId = fc.oneof(
    fc.constantFrom(...ids),
    fc.constantFrom("", "0", "00".repeat(21), "x".repeat(5000), "\u0000", "../../etc/passwd", ids[0]!.slice(0, -1) + "z"),
    fc.stringMatching(/^[0-9a-f]{40,42}$/),
  );
  const breakage = fc.constantFrom("none", "none", "file", "no-name", "truncated", "no-end", "garbage", "wrong-boundary", "no-boundary");
  const style = fc.constantFrom("header-multipart", "header-text", "header-urlencoded", "no-js-form", "header-json-args");

  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...PAGES),
      actionId,
      style,
      breakage,
      fc.array(field, { maxLength: 8 }),
      async (page, id, how, broken, fields) => {
        for (const [, value] of fields) noteSecret("password", /CANARY[0-9a-z]+X$/.exec(value)![0]);
        const headers: Record<string, string> = { Origin: "http://localhost", Accept: "text/x-component" };
        let body: Buffer | string;
        if (how === "header-text" || how === "header-json-args") {
          headers["Next-Action"] = id;
          headers["Content-Type"] = "text/plain;charset=UTF-8";
          body = how === "header-json-args" ? JSON.stringify(["$K1", Object.fromEntries(fields)]) : fields.map(([, v]) => v).join("");
        } else if (how === "header-urlencoded") {
          headers["Next-Action"] = id;
          headers["Content-Type"] = "application/x-www-form-urlencoded";
          body = new URLSearchParams(fields).toString();
        } else {
          if (how === "header-multipart") headers["Next-Action"] = id;
          const parts: [string, string][] = how === "no-js-form" ? [[`$ACTION_ID_${id}`, ""], ...fields] : fields;
          const built = multipart(parts, broken);
          headers["Content-Type"] = built.type;
          body = built.body;
        }
        const response = await request.post(page, { headers, data: body, maxRedirects: 0, failOnStatusCode: false });
        note(`POST ${page} ${how}/${broken} id=${JSON.stringify(id.slice(0, 50))}`, response.status());
      },
    ),
    { numRuns: 400, seed: 10_007, endOnFailure: true },
  );
  expect(failures).toEqual([]);
});

test("route handlers: malformed queries and bodies never get a 5xx", async ({ request }) => {
  test.setTimeout(300_000); // as above
  const query = fc.array(
    fc.tuple(
      fc.constantFrom("t", "c", "id", "status", "user", "ip", "event", "from", "to", "outcome", "before", "after", "locale", "flow", "q"),
      nasty,
    ),
    {
      maxLength: 5,
    },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ROUTES),
      query,
      fc.constantFrom("none", "json", "form", "garbage", "huge"),
      async (route, params, bodyKind) => {
        for (const [, value] of params) noteSecret("password", /CANARY[0-9a-z]+X$/.exec(value)![0]);
        const search = new URLSearchParams(params).toString();
        const url = `${route.path}${search ? `?${search}` : ""}`;
        for (const method of route.methods) {
          const headers: Record<string, string> = { Origin: "http://localhost", "MessageBird-Signature-JWT": "e30.e30.x" };
          let data: string | undefined;
          if (method === "POST") {
            if (bodyKind === "json") [headers["Content-Type"], data] = ["application/json", JSON.stringify(Object.fromEntries(params))];
            if (bodyKind === "form") [headers["Content-Type"], data] = ["application/x-www-form-urlencoded", search];
            if (bodyKind === "garbage") [headers["Content-Type"], data] = ["application/json", "{\u0000"];
            if (bodyKind === "huge") [headers["Content-Type"], data] = ["text/plain", "y".repeat(100_000)];
          }
          const response = await request.fetch(url, { method, headers, data, maxRedirects: 0, failOnStatusCode: false });
          note(`${method} ${url.slice(0, 120)} body=${bodyKind}`, response.status());
        }
      },
    ),
    { numRuns: 200, seed: 10_008, endOnFailure: true },
  );
  expect(failures).toEqual([]);
});

test("no typed value reached the server log", async () => {
  expect(statuses.length).toBeGreaterThan(0);
  const log = readFileSync(path.join(RUN_DIR, "server.log"), "utf8");
  const leaked = Array.from({ length: canaries }, (_, i) => canaryOf(i + 1)).filter((c) => log.includes(c));
  expect(leaked).toEqual([]);
});
