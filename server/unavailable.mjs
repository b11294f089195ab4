// "Temporarily unavailable": when a request fails (5xx) while the database or the directory cannot be reached, the
// user gets a translated page with status 503, Retry-After and the request id as reference (which is in the log),
// instead of a bare error. It works without JavaScript, and with it: a client navigation that gets this page instead
// of its data loads the page as a whole.
import { readFileSync } from "node:fs";
import path from "node:path";

export const RETRY_AFTER_SECONDS = 30;

/** The page's texts from the portal's catalogues (ErrorPage.*), read once at start. */
export function loadTexts(dir) {
  const texts = {};
  for (const locale of ["nl", "en"]) {
    const page = JSON.parse(readFileSync(path.join(dir, "messages", `${locale}.json`), "utf8")).ErrorPage;
    texts[locale] = { title: page.unavailableTitle, body: page.unavailableBody, reference: page.reference, home: page.home };
  }
  return texts;
}

/** The page's language: the path's locale, else the NEXT_LOCALE cookie, else the browser's first choice; Dutch by default. */
export function localeOf(req) {
  const fromPath = /^\/(nl|en)(\/|$)/.exec(req.url ?? "")?.[1];
  if (fromPath) return fromPath;
  const cookie = /(?:^|;\s*)NEXT_LOCALE=(nl|en)(?:;|$)/.exec(req.headers.cookie ?? "")?.[1];
  if (cookie) return cookie;
  return /^\s*en\b/i.test(req.headers["accept-language"] ?? "") ? "en" : "nl";
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/** A self-contained page: no script, no external resource, its own strict CSP. */
export function unavailableResponse(texts, locale, id, api) {
  const t = texts[locale] ?? texts.nl;
  const headers = {
    "Retry-After": String(RETRY_AFTER_SECONDS),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Request-Id": id,
  };
  if (api) {
    return {
      status: 503,
      headers: { ...headers, "Content-Type": "application/json; charset=utf-8" },
      body: JSON.stringify({ error: "unavailable", reference: id }),
    };
  }
  const reference = t.reference.replace("{id}", id);
  const body = `<!DOCTYPE html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escape(t.title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1a1a1a;background:#f5f6f8}
main{max-width:36rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:.5rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.5rem;margin-top:0}.muted{color:#555;font-size:.9rem}a{color:#0b57a4}
</style>
</head>
<body>
<main id="main">
<h1>${escape(t.title)}</h1>
<p>${escape(t.body)}</p>
<p class="muted" data-reference="${escape(id)}">${escape(reference)}</p>
<p><a href="/${locale}">${escape(t.home)}</a></p>
</main>
</body>
</html>
`;
  return {
    status: 503,
    headers: {
      ...headers,
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy":
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    },
    body,
  };
}

/** A server action called by the browser's router (with JavaScript): it sends Next-Action and reads only a Flight answer. */
export const isFetchAction = (req) => req.method === "POST" && typeof req.headers["next-action"] === "string";

/**
 * The outage answer to a fetch action whose Flight body carries the action's error: the body is kept (the router shows
 * error.tsx, whose reference is the error's digest, the request id: server/log.mjs), with 503 and Retry-After. An HTML
 * page there would only make the router throw "An unexpected response was received from the server", without a reference.
 */
export function unavailableActionAnswer(id) {
  return {
    status: 503,
    headers: { "Retry-After": String(RETRY_AFTER_SECONDS), "Cache-Control": "no-store", "X-Request-Id": id },
    keepBody: true,
  };
}

/**
 * Holds back a response the portal starts with a 5xx status other than 503 (the portal's own outage page) until
 * `decide(status, contentType)` has said whether to replace it (a { status, headers, body } to send instead), to send
 * its own body with another status and added headers ({ status, headers, keepBody: true }: a server action's Flight
 * answer, which the browser's router must read to show the error page with its reference), or to let it through
 * unchanged (null). Other responses are untouched.
 */
export function holdServerErrors(res, decide) {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end, flushHeaders: res.flushHeaders };
  let held = null;
  const restore = () => Object.assign(res, original);
  const keep = (chunk, encoding) => {
    if (chunk === undefined || chunk === null || typeof chunk === "function") return;
    held.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, typeof encoding === "string" ? encoding : "utf8"));
  };
  res.writeHead = function (status, ...rest) {
    if (held) return this;
    // A 503 is already the portal's own answer to an outage (e.g. the account service page, /[locale]/unavailable).
    if (Number(status) >= 500 && Number(status) !== 503) {
      held = { status, rest, chunks: [] };
      return this;
    }
    restore();
    return original.writeHead.call(this, status, ...rest);
  };
  res.flushHeaders = function () {
    if (held) return;
    return original.flushHeaders.call(this);
  };
  res.write = function (chunk, encoding, callback) {
    if (!this.headersSent && !held) this.writeHead(this.statusCode);
    if (!held) return original.write.call(this, chunk, encoding, callback);
    keep(chunk, encoding);
    const cb = typeof encoding === "function" ? encoding : callback;
    if (cb) process.nextTick(cb);
    return true;
  };
  res.end = function (chunk, encoding, callback) {
    if (!this.headersSent && !held) this.writeHead(this.statusCode);
    if (!held) return original.end.call(this, chunk, encoding, callback);
    keep(chunk, encoding);
    const cb = [chunk, encoding, callback].find((a) => typeof a === "function");
    const response = held;
    restore();
    const passThrough = () => {
      original.writeHead.call(res, response.status, ...response.rest);
      original.end.call(res, Buffer.concat(response.chunks), cb);
    };
    const headersGiven = response.rest.find((a) => a && typeof a === "object");
    const contentType = String(
      (headersGiven && Object.entries(headersGiven).find(([name]) => name.toLowerCase() === "content-type")?.[1]) ??
        res.getHeader("content-type") ??
        "",
    );
    decide(response.status, contentType).then(
      (replacement) => {
        if (!replacement) return passThrough();
        if (replacement.keepBody) {
          for (const [name, value] of Object.entries(replacement.headers)) res.setHeader(name, value);
          original.writeHead.call(res, replacement.status, ...(headersGiven ? [headersGiven] : []));
          return original.end.call(res, Buffer.concat(response.chunks), cb);
        }
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        original.writeHead.call(res, replacement.status, replacement.headers);
        original.end.call(res, replacement.body, cb);
      },
      () => passThrough(),
    );
    return this;
  };
}
