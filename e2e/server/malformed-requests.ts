// Malformed requests for the HTTP fuzz spec (malformed-input.spec.ts): fast-check arbitraries for what a careless or
// hostile client can send to a route handler or a server action — wrong methods and content types, broken multipart,
// JSON junk as action arguments, NUL bytes, invalid UTF-8, huge fields, odd headers — and a raw HTTP sender that
// puts exactly those bytes on the wire (fetch would repair or refuse some of them).
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { ROOT } from "./portal-process";

export type RawRequest = { method: string; path: string; headers: Array<[string, string]>; body?: Buffer };
export type RawAnswer = { status: number; body: string };

/**
 * Sends the request as given (no header normalisation, the body's bytes as they are); the answer's status and text. A
 * server that answers before reading the whole body (413) and closes may cut the upload: the answer still counts.
 */
export function send(baseUrl: string, request: RawRequest): Promise<RawAnswer> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let status = 0;
    const chunks: Buffer[] = [];
    const answer = () => resolve({ status, body: Buffer.concat(chunks).toString("utf8").slice(0, 2000) });
    const req = http.request({
      host: base.hostname,
      port: base.port,
      method: request.method,
      path: request.path,
      setHost: true,
      agent: false,
    });
    for (const [name, value] of request.headers) req.setHeader(name, value);
    if (request.body) req.setHeader("Content-Length", String(request.body.length));
    req.on("response", (res) => {
      status = res.statusCode ?? 0;
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", answer);
      res.on("error", answer);
    });
    req.on("error", (error) => (status ? answer() : reject(error)));
    req.setTimeout(20_000, () => req.destroy(new Error(`no answer in 20 s: ${request.method} ${request.path}`)));
    req.end(request.body);
  });
}

/** A short, printable description of a request for a failure message (the body's first bytes, escaped). */
export function describe(request: RawRequest): string {
  const body = request.body ? JSON.stringify(request.body.subarray(0, 300).toString("latin1")) : "";
  return `${request.method} ${request.path}\n${request.headers.map(([n, v]) => `${n}: ${JSON.stringify(v).slice(0, 200)}`).join("\n")}\n${body}${(request.body?.length ?? 0) > 300 ? ` … (${request.body!.length} bytes)` : ""}`;
}

// ---------------------------------------------------------------------------------------------------------------
// What the portal serves: route handlers from the source tree, server actions from the build.

export type RouteHandler = { path: string; methods: string[] };

/** Every route handler under app/api and app/dev, with the methods its file exports; dynamic segments get a value. */
export function routeHandlers(): RouteHandler[] {
  return sourceRoutes(["app/api", "app/dev"], /^route\.(ts|tsx|js)$/).map(({ path: route, source }) => ({
    path: route,
    methods: [...source.matchAll(/export\s+(?:async\s+)?(?:function|const)\s+(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b/g)].map(
      (m) => m[1]!,
    ),
  }));
}

/**
 * Every page (app/[locale]/… under /nl, app/dev/…): GET is theirs, any other method and header is a stranger's. Not
 * the "temporarily unavailable" page, whose status is 503 by design (proxy.ts).
 */
export function pages(): RouteHandler[] {
  return sourceRoutes(["app/[locale]", "app/dev"], /^page\.tsx$/)
    .filter(({ path: route }) => route !== "/nl/unavailable")
    .map(({ path: route }) => ({ path: route, methods: ["GET"] }));
}

function sourceRoutes(roots: string[], file: RegExp): Array<{ path: string; source: string }> {
  const found: Array<{ path: string; source: string }> = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (file.test(entry.name)) {
        const route = ("/" + path.posix.dirname(rel).replace(/^app\//, ""))
          .replace(/^\/\[locale\]/, "/nl")
          .replace(/\[\.{3}[^\]]+\]/g, "x")
          .replace(/\[[^\]]+\]/g, "00000000-0000-0000-0000-000000000000");
        found.push({ path: route, source: readFileSync(path.join(ROOT, rel), "utf8") });
      }
    }
  };
  for (const root of roots) walk(root);
  return found;
}

export type ServerAction = { id: string; name: string; pages: string[] };

/** Every server action in the production build (.next), with the pages (as paths under /nl) that can run it. */
export function serverActions(): ServerAction[] {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { workers: Record<string, unknown>; exportedName?: string }>;
  };
  return Object.entries(manifest.node).map(([id, entry]) => ({
    id,
    name: entry.exportedName ?? id,
    pages: Object.keys(entry.workers)
      .filter((w) => w.startsWith("app/[locale]/") && w.endsWith("/page"))
      .map((w) =>
        w
          .replace(/^app\/\[locale\]/, "/nl")
          .replace(/\/page$/, "")
          .replace(/\[[^\]]+\]/g, "00000000-0000-0000-0000-000000000000"),
      ),
  }));
}

/** The action ids a page's forms carry without JavaScript ($ACTION_ID_… names, or the id inside $ACTION_n:0). */
export function renderedActionIds(html: string): string[] {
  const ids = new Set<string>();
  for (const m of html.matchAll(/\$ACTION_ID_([0-9a-f]+)/g)) ids.add(m[1]!);
  for (const m of html.matchAll(/name="\$ACTION_\d+:0" value="([^"]*)"/g)) {
    const id = /&quot;id&quot;:&quot;([0-9a-f]+)&quot;/.exec(m[1]!)?.[1];
    if (id) ids.add(id);
  }
  return [...ids];
}

// ---------------------------------------------------------------------------------------------------------------
// Values.

const utf8 = (s: string) => Buffer.from(s, "utf8");
/** Percent-encodes every byte of a string's UTF-8 (a lone surrogate becomes U+FFFD's bytes; encodeURIComponent would throw). */
const pct = (s: string) => [...utf8(s)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
const hex = (maxLength: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), maxLength });

/** Bytes that are not UTF-8: lone continuation bytes, overlong forms, surrogates, truncated sequences. */
const invalidUtf8 = fc
  .array(fc.constantFrom([0xff], [0xfe, 0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]), {
    minLength: 1,
    maxLength: 4,
  })
  .chain((bad) => fc.tuple(fc.constant(bad), fc.string({ maxLength: 8 })))
  .map(([bad, around]) => Buffer.concat([utf8(around), ...bad.map((b) => Buffer.from(b)), utf8(around)]));

const nastyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom(
    "",
    "\u0000",
    "jan\u0000@example.nl",
    "\u202e\u0000\u001b[2J",
    "\ud800",
    "\udfff\ud800",
    "%00",
    "../../../../etc/passwd",
    "$1",
    "$K1",
    "$@0",
    "$Q1",
    "$h1",
    "$$",
    "$undefined",
    "__proto__",
    "constructor",
    "[]",
    "{}",
    "null",
    "NaN",
    "-1",
    "1e309",
    "9".repeat(400),
    "reset",
    "unlock",
    "sms",
    "voice",
    "0612345678",
    "+31612345678",
  ),
  fc.json({ maxDepth: 3 }),
);

/** A field's value: text (UTF-8), bytes that are not UTF-8, or a huge value (up to 100 KB, under the body limit). */
const fieldValue: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: nastyText.map(utf8) },
  { weight: 2, arbitrary: invalidUtf8 },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("a", "\u0000", "é", "😀"), fc.integer({ min: 1_000, max: 25_000 }))
      .map(([c, n]) => utf8(c.repeat(n))),
  },
);

/** The field names our forms use, Next's own action fields, and junk. */
const fieldName = fc.oneof(
  fc.constantFrom(
    "username",
    "userId",
    "password",
    "confirmation",
    "code",
    "phone",
    "channel",
    "intent",
    "captcha",
    "captchaToken",
    "h-captcha-response",
    "accountId",
    "op",
    "reason",
    "next",
    "step",
    "email",
    "noscript",
    "0",
    "1",
    "1_username",
    "1_password",
    "$ACTION_REF_1",
    "$ACTION_1:0",
    "$ACTION_1:1",
    "$ACTION_KEY",
  ),
  fc.string({ unit: "binary", maxLength: 12 }),
);

// ---------------------------------------------------------------------------------------------------------------
// Bodies.

type Part = { name: Buffer; value: Buffer; filename?: string; type?: string };

const part: fc.Arbitrary<Part> = fc.record(
  {
    name: fc.oneof({ weight: 5, arbitrary: fieldName.map(utf8) }, { weight: 1, arbitrary: invalidUtf8 }),
    value: fieldValue,
    filename: fc.constantFrom("a.txt", "", "\u0000.png", "../x"),
    type: fc.constantFrom("text/plain", "application/octet-stream", "application/json", "image/png", "text/plain; charset=utf-16"),
  },
  { requiredKeys: ["name", "value"] },
);

const BOUNDARY = "----toegangFuzz7MA4YWxkTrZu0gW";

/** A multipart body, often broken: cut short, without its closing boundary, with bare LF, or under another boundary. */
function multipart(parts: Part[], damage: "none" | "truncate" | "no-close" | "lf" | "other-boundary", cut: number): Buffer {
  const chunks: Buffer[] = [];
  const boundary = damage === "other-boundary" ? "somethingElse" : BOUNDARY;
  for (const p of parts) {
    const disposition = `Content-Disposition: form-data; name="${p.name.toString("latin1")}"${p.filename !== undefined ? `; filename="${p.filename}"` : ""}`;
    chunks.push(
      Buffer.from(`--${boundary}\r\n${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ""}\r\n`, "latin1"),
      p.value,
      Buffer.from("\r\n"),
    );
  }
  if (damage !== "no-close") chunks.push(Buffer.from(`--${boundary}--\r\n`));
  let body = Buffer.concat(chunks);
  if (damage === "lf") body = Buffer.from(body.toString("latin1").replace(/\r\n/g, "\n"), "latin1");
  if (damage === "truncate") body = body.subarray(0, Math.min(cut, Math.max(0, body.length - 1)));
  return body;
}

const multipartBody = fc
  .tuple(
    fc.array(part, { maxLength: 6 }),
    fc.constantFrom("none", "none", "none", "truncate", "no-close", "lf", "other-boundary" as const),
    fc.nat(400),
  )
  .map(([parts, damage, cut]) => multipart(parts, damage, cut));

/** Action arguments as React would encode them ("$K1" = the form), and what it never would. */
const actionArguments = fc.oneof(
  fc.constantFrom(
    '["$K1"]',
    '["$undefined","$K1"]',
    '[null,"$K1"]',
    "[]",
    "[1,2,3,4,5,6]",
    '["$@1"]',
    '["$Q1"]',
    '["$h1"]',
    '["$F1"]',
    '{"0":1}',
    "[",
    "",
  ),
  fc.json({ maxDepth: 4 }),
  nastyText,
);

/** A body that looks like a server action call the way React's client sends it: field "0" the arguments, "1_…" the form. */
const jsActionBody = fc
  .tuple(
    actionArguments,
    fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 5 }),
    fc.constantFrom("none", "none", "truncate", "no-close" as const),
    fc.nat(300),
  )
  .map(([args, fields, damage, cut]) =>
    multipart([{ name: utf8("0"), value: utf8(args) }, ...fields.map(([n, v]) => ({ name: utf8(`1_${n}`), value: v }))], damage, cut),
  );

/** A body as a no-JavaScript form posts it: $ACTION_ID_<id>, or the $ACTION_REF/$ACTION_n:0 fields of a bound action. */
const noJsActionBody = (id: string) =>
  fc
    .tuple(
      fc.constantFrom("id", "ref", "ref-junk" as const),
      fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 5 }),
      fc.oneof(fc.constantFrom(id, id.toUpperCase(), `${id}00`, "", "zz", id.slice(0, 10)), hex(50)),
      nastyText,
      fc.constantFrom("none", "none", "truncate", "other-boundary" as const),
      fc.nat(300),
    )
    .map(([style, fields, actionId, junk, damage, cut]) => {
      const own: Part[] =
        style === "id"
          ? [{ name: utf8(`$ACTION_ID_${actionId}`), value: Buffer.alloc(0) }]
          : [
              { name: utf8("$ACTION_REF_1"), value: Buffer.alloc(0) },
              { name: utf8("$ACTION_1:0"), value: utf8(style === "ref" ? JSON.stringify({ id: actionId, bound: "$@1" }) : junk) },
              { name: utf8("$ACTION_1:1"), value: utf8(style === "ref" ? '[{"status":"idle"}]' : junk) },
              { name: utf8("$ACTION_KEY"), value: utf8("k" + junk.slice(0, 20)) },
            ];
      return multipart([...own, ...fields.map(([n, v]) => ({ name: utf8(n), value: v }))], damage, cut);
    });

const urlencoded = fc
  .array(fc.tuple(fieldName, nastyText), { maxLength: 6 })
  .map((pairs) => utf8(pairs.map(([n, v]) => `${pct(n)}=${pct(v)}`).join("&")));

const otherBody: fc.Arbitrary<Buffer> = fc.oneof(
  nastyText.map(utf8),
  invalidUtf8,
  fc.json().map(utf8),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  urlencoded,
);

const contentType = (boundaryOk: boolean) =>
  fc.constantFrom(
    ...(boundaryOk ? [`multipart/form-data; boundary=${BOUNDARY}`, `multipart/form-data; boundary="${BOUNDARY}"`] : []),
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/mixed; boundary=x",
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-16",
    "text/plain;charset=UTF-8",
    "text/x-component",
    "application/json",
    "application/octet-stream",
    "image/png",
    "",
    "\u00ff/\u00fe",
    "multipart/form-data; boundary=" + "b".repeat(300),
  );

// ---------------------------------------------------------------------------------------------------------------
// Headers.

/** Header values Node lets through (tab, printable ASCII, bytes 0x80–0xff as latin1). */
const headerText = fc.string({
  unit: fc
    .integer({ min: 0x20, max: 0xff })
    .filter((c) => c !== 0x7f)
    .map((c) => String.fromCharCode(c)),
  maxLength: 60,
});

const oddHeader: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(
    fc.constant("Next-Router-State-Tree"),
    fc.oneof(
      headerText,
      fc.constantFrom("%5B%22%22%5D", "[", "%E0%A4%A", encodeURIComponent('["",{"children":["__PAGE__",{}]},null,null,true]')),
    ),
  ),
  fc.tuple(fc.constant("RSC"), fc.constantFrom("1", "0", "true", "")),
  fc.tuple(fc.constant("Next-Router-Prefetch"), fc.constantFrom("1", "2", "x")),
  fc.tuple(fc.constant("Next-Router-Segment-Prefetch"), fc.constantFrom("/_tree", "/_full", "x", "/../..")),
  fc.tuple(fc.constant("Next-Url"), fc.oneof(headerText, fc.constantFrom("/nl", "//evil.example", "/%E0%A4%A"))),
  fc.tuple(fc.constant("Next-Action"), fc.oneof(headerText, hex(50))),
  fc.tuple(fc.constant("Accept"), fc.oneof(headerText, fc.constantFrom("text/x-component", "*/*", "text/html;q=x"))),
  fc.tuple(fc.constant("Accept-Language"), fc.oneof(headerText, fc.constantFrom("en;q=abc", "*", "zz-ZZ", "nl;q=0,en;q=0"))),
  fc.tuple(
    fc.constant("Cookie"),
    fc.oneof(
      headerText,
      fc.constantFrom("NEXT_LOCALE=xx", "NEXT_LOCALE=%E0%A4%A", "__Host-toegang-flow=x", "toegang-flow=Fe26.2**junk", "a=%"),
    ),
  ),
  fc.tuple(
    fc.constant("Range"),
    fc.oneof(
      headerText,
      fc.constantFrom("bytes=0-", "bytes=999999999-", "bytes=-0", "bytes=5-1", "bytes=0-1,2-3,4-5", "bytes=x-y", "items=0-1"),
    ),
  ),
  fc.tuple(fc.constant("If-None-Match"), headerText),
  fc.tuple(fc.constant("If-Modified-Since"), fc.constantFrom("yesterday", "Thu, 01 Jan 1970 00:00:00 GMT", "")),
  fc.tuple(fc.constant("X-Forwarded-For"), fc.oneof(headerText, fc.constantFrom("127.0.0.1", "::1, 10.0.0.1", "not-an-ip"))),
  fc.tuple(fc.constant("X-Forwarded-Host"), fc.oneof(headerText, fc.constantFrom("evil.example", "127.0.0.1:1"))),
  fc.tuple(fc.constant("X-Middleware-Subrequest"), fc.constantFrom("middleware", "proxy:proxy:proxy:proxy:proxy")),
  fc.tuple(fc.constant("Authorization"), fc.oneof(headerText, fc.constantFrom("Bearer ", "Basic !!!"))),
  fc.tuple(fc.constant("Content-Encoding"), fc.constantFrom("gzip", "br", "identity", "x")),
  fc.tuple(fc.constant("X-Request-Id"), headerText),
  fc.tuple(fc.constant("Sec-Fetch-Site"), fc.constantFrom("same-origin", "none", "", "x")),
  fc.tuple(fc.constant("Origin"), fc.constantFrom("http://127.0.0.1", "null", "", "http://evil.example")),
);

/** A query string of junk: unbalanced percent signs, repeated keys, NUL, huge values. */
const query = fc.oneof(
  fc.constant(""),
  fc
    .array(
      fc.tuple(
        fc.constantFrom(
          "id",
          "lang",
          "locale",
          "challenge",
          "from",
          "to",
          "user",
          "event",
          "outcome",
          "cursor",
          "flow",
          "ip",
          "q",
          "page",
          "step",
          "_rsc",
          "x",
        ),
        fc.oneof(
          headerText.map(pct),
          fc.constantFrom("%", "%E0%A4%A", "%00", "%FF%FE", "x".repeat(5000), "-1", "1e309", "%5Bobject%20Object%5D"),
        ),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((pairs) => "?" + pairs.map(([k, v]) => `${k}=${v}`).join("&")),
);

// ---------------------------------------------------------------------------------------------------------------
// Requests.

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** Any method with any body and headers to a route handler (its own methods more often than the others). */
export function routeRequest(route: RouteHandler): fc.Arbitrary<RawRequest> {
  const method = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...(route.methods.length ? route.methods : METHODS)) },
    { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
  );
  return fc
    .tuple(
      method,
      query,
      fc.oneof(
        multipartBody.map((b) => [b, true] as const),
        otherBody.map((b) => [b, false] as const),
      ),
      fc.boolean(),
      fc.array(oddHeader, { maxLength: 4 }),
    )
    .chain(([m, q, [body, isMultipart], withBody, headers]) =>
      contentType(isMultipart).map((type): RawRequest => {
        const sendsBody = withBody && m !== "GET" && m !== "HEAD";
        return {
          method: m,
          path: route.path + q,
          headers: [...(sendsBody ? ([["Content-Type", type]] as Array<[string, string]>) : []), ...headers],
          body: sendsBody ? body : undefined,
        };
      }),
    );
}

/** A POST of a server action to a page that can run it: as React's client sends it, as a no-JS form does, or junk. */
export function actionRequest(action: ServerAction): fc.Arbitrary<RawRequest> {
  const page = fc.constantFrom(...(action.pages.length ? action.pages : ["/nl"]));
  const withHeader = fc.tuple(
    fc.oneof({ weight: 4, arbitrary: fc.constant(action.id) }, { weight: 1, arbitrary: fc.oneof(headerText, hex(60)) }),
    fc.oneof(
      { weight: 4, arbitrary: jsActionBody.map((b) => [b, `multipart/form-data; boundary=${BOUNDARY}`] as const) },
      { weight: 2, arbitrary: actionArguments.map((a) => [utf8(a), "text/plain;charset=UTF-8"] as const) },
      { weight: 1, arbitrary: fc.tuple(otherBody, contentType(false)).map(([b, t]) => [b, t] as const) },
    ),
  );
  return fc
    .tuple(
      page,
      query,
      fc.oneof(
        { weight: 3, arbitrary: withHeader.map(([id, [body, type]]) => ({ id: id as string | null, body, type })) },
        {
          weight: 2,
          arbitrary: noJsActionBody(action.id).map((body) => ({ id: null, body, type: `multipart/form-data; boundary=${BOUNDARY}` })),
        },
        { weight: 1, arbitrary: fc.tuple(urlencoded, contentType(false)).map(([body, type]) => ({ id: null, body, type })) },
      ),
      fc.array(oddHeader, { maxLength: 3 }),
      fc.constantFrom("POST", "POST", "POST", "PUT", "GET"),
    )
    .map(([p, q, { id, body, type }, headers, method]): RawRequest => {
      const own: Array<[string, string]> = [
        ["Content-Type", type],
        ["Accept", "text/x-component"],
      ];
      if (id !== null) own.push(["Next-Action", id]);
      return {
        method,
        path: p + q,
        headers: [...own, ...headers.filter(([n]) => n !== "Next-Action" || id === null)],
        body: method === "GET" ? undefined : body,
      };
    });
}
