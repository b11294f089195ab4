// A local hCaptcha for tests and offline work: serves a widget script that the real @hcaptcha/react-hcaptcha component
// loads and drives, issues tokens when its checkbox is ticked, and answers siteverify with the test keys' semantics.
// Control endpoints switch siteverify's behaviour and list what the portal sent (never the secret's value).
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** hCaptcha's published test keys: the only pair this stand-in accepts. */
export const TEST_SITE_KEY = "10000000-ffff-ffff-ffff-000000000001";
export const TEST_SECRET = "0x0000000000000000000000000000000000000000";

/** pass: the documented semantics; fail: every token refused; error: HTTP 500; slow: the answer comes after slowMs. */
export type SiteverifyMode = "pass" | "fail" | "error" | "slow";
const MODES: readonly SiteverifyMode[] = ["pass", "fail", "error", "slow"];

/** hCaptcha lets a token be redeemed once, within two minutes of being issued. */
const TOKEN_TTL_MS = 120_000;

export type Verification = {
  at: string;
  /** The token as posted (tokens are single-use test values, not secrets). */
  response: string | null;
  remoteip: string | null;
  sitekey: string | null;
  /** Whether a secret was posted and whether it was the test secret; its value is never recorded. */
  secret: "test-secret" | "other" | "missing";
  /** What the stand-in answered: an HTTP status and, for 200, the JSON body. */
  status: number;
  answer: unknown;
};

export type HcaptchaStandIn = {
  url: string;
  close(): Promise<void>;
  /** The same as the control endpoints, for tests that start the stand-in in-process. */
  setMode(mode: SiteverifyMode): void;
  reset(): void;
  verifications(): Verification[];
  /** A token as the widget would get it after a tick, for tests without a browser. */
  issueToken(input: { sitekey: string; hostname: string }): string;
};

export type HcaptchaStandInOptions = {
  port: number;
  host?: string;
  /** How long "slow" holds siteverify's answer: longer than the portal's 5 s timeout by default. */
  slowMs?: number;
};

type Issued = { sitekey: string; hostname: string; issuedAt: number; redeemed: boolean };

// ---------------------------------------------------------------------------------------------------------------
// The widget script (/1/api.js). The React component appends ?onload=<callback>&render=explicit&hl=…&sentry=false…
// to its scriptSource, waits for window[onload](), then calls hcaptcha.render(container, { sitekey, callback,
// "expired-callback", "error-callback", hl, … }) and later getResponse/getRespKey/reset/remove/execute. Like hCaptcha,
// the checkbox lives in an iframe from the widget's own origin; the token comes back by postMessage and goes into a
// hidden <textarea name="h-captcha-response"> inside the container, so it is posted with the surrounding form.

function widgetScript(origin: string): string {
  return `(function () {
  "use strict";
  var ORIGIN = ${JSON.stringify(origin)};
  var script = document.currentScript;
  var query = script && script.src ? new URL(script.src).searchParams : new URLSearchParams();
  var widgets = {};
  var count = 0;
  var call = function (fn, arg) { if (typeof fn === "function") fn(arg); };
  var find = function (id) { return widgets[id === undefined || id === null ? Object.keys(widgets)[0] : String(id)]; };

  function render(container, params) {
    if (typeof container === "string") container = document.getElementById(container);
    if (!container) throw new Error("[hCaptcha stand-in] render: no container");
    params = params || {};
    var sitekey = params.sitekey || container.getAttribute("data-sitekey");
    if (!sitekey) throw new Error("[hCaptcha stand-in] render: sitekey is required");
    var id = String(count++);
    var hl = params.hl || query.get("hl") || document.documentElement.lang || "en";
    var frame = document.createElement("iframe");
    frame.src = ORIGIN + "/widget?" + new URLSearchParams({ id: id, sitekey: sitekey, hl: hl, host: location.hostname, origin: location.origin });
    frame.title = hl === "nl" ? "Widget met een selectievakje voor de beveiligingsuitdaging van hCaptcha" : "Widget containing checkbox for hCaptcha security challenge";
    frame.width = "304";
    frame.height = "78";
    frame.setAttribute("tabindex", String(params.tabindex || 0));
    frame.style.border = "0";
    frame.style.display = "block";
    var field = document.createElement("textarea");
    field.name = "h-captcha-response";
    field.id = "h-captcha-response-" + id;
    field.setAttribute("aria-hidden", "true");
    field.tabIndex = -1;
    field.style.display = "none";
    container.appendChild(frame);
    container.appendChild(field);
    widgets[id] = { frame: frame, field: field, params: params, response: "", key: "", pending: [] };
    return id;
  }

  function tell(widget, type) {
    if (widget.frame.contentWindow) widget.frame.contentWindow.postMessage({ source: "hcaptcha-stand-in", type: type }, ORIGIN);
  }

  function clear(widget) {
    widget.response = "";
    widget.key = "";
    widget.field.value = "";
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== ORIGIN || !event.data || event.data.source !== "hcaptcha-stand-in") return;
    var widget = widgets[event.data.id];
    if (!widget) return;
    if (event.data.type === "verified") {
      widget.response = event.data.token;
      widget.key = event.data.key;
      widget.field.value = event.data.token;
      var pending = widget.pending.splice(0);
      pending.forEach(function (resolve) { resolve({ response: widget.response, key: widget.key }); });
      call(widget.params.callback, widget.response);
    } else if (event.data.type === "expired") {
      clear(widget);
      call(widget.params["expired-callback"]);
    }
  });

  window.hcaptcha = {
    render: render,
    getResponse: function (id) { var w = find(id); return w ? w.response : ""; },
    getRespKey: function (id) { var w = find(id); return w ? w.key : ""; },
    reset: function (id) { var w = find(id); if (w) { clear(w); tell(w, "reset"); } },
    remove: function (id) {
      var w = find(id);
      if (!w) return;
      w.frame.remove();
      w.field.remove();
      delete widgets[id === undefined || id === null ? Object.keys(widgets)[0] : String(id)];
    },
    execute: function (id, opts) {
      var w = find(id);
      if (!w) return opts && opts.async ? Promise.reject(new Error("invalid-hcaptcha-id")) : undefined;
      tell(w, "execute");
      if (!(opts && opts.async)) return undefined;
      if (w.response) return Promise.resolve({ response: w.response, key: w.key });
      return new Promise(function (resolve) { w.pending.push(resolve); });
    },
    close: function () {},
    setData: function () {}
  };

  // render=explicit (what the React component asks for) leaves rendering to the page; otherwise .h-captcha elements render now.
  if (query.get("render") !== "explicit") {
    Array.prototype.forEach.call(document.querySelectorAll(".h-captcha"), function (el) { render(el, {}); });
  }
  var onload = query.get("onload");
  if (onload && typeof window[onload] === "function") window[onload]();
})();
`;
}

// ---------------------------------------------------------------------------------------------------------------
// The widget itself (/widget, shown in the iframe): a labelled checkbox; ticking it asks this server for a token.

const widgetTexts = {
  nl: { human: "Ik ben een mens", done: "Gecontroleerd", title: "hCaptcha (lokale stand-in)" },
  en: { human: "I am human", done: "Verified", title: "hCaptcha (local stand-in)" },
} as const;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function widgetPage(params: URLSearchParams): string {
  const lang = params.get("hl") === "nl" ? "nl" : "en";
  const t = widgetTexts[lang];
  const config = {
    id: params.get("id") ?? "0",
    sitekey: params.get("sitekey") ?? "",
    host: params.get("host") ?? "",
    origin: params.get("origin") ?? "*",
    done: t.done,
  };
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<title>${escapeHtml(t.title)}</title>
<style>
  html, body { margin: 0; font: 14px/1.3 system-ui, sans-serif; color: #1f2328; background: transparent; }
  main { box-sizing: border-box; width: 300px; height: 74px; margin: 1px; padding: 0 12px; display: flex; align-items: center;
         justify-content: space-between; border: 1px solid #b7bcc2; border-radius: 4px; background: #fafafa; }
  label { display: flex; align-items: center; gap: 10px; cursor: pointer; font-size: 15px; }
  input { width: 26px; height: 26px; margin: 0; accent-color: #0a7a3e; cursor: pointer; }
  input:focus-visible { outline: 3px solid #0b5cab; outline-offset: 2px; }
  .brand { text-align: right; font-size: 11px; color: #4a5058; }
  .brand strong { display: block; font-size: 13px; color: #1f2328; }
  #status { font-size: 12px; color: #0a6b36; min-height: 1em; }
</style>
</head>
<body>
<main>
  <div>
    <label><input type="checkbox" id="human"> <span>${escapeHtml(t.human)}</span></label>
    <div id="status" role="status"></div>
  </div>
  <div class="brand"><strong>hCaptcha</strong>stand-in</div>
</main>
<script>
(function () {
  var config = ${JSON.stringify(config).replace(/</g, "\\u003c")};
  var box = document.getElementById("human");
  var status = document.getElementById("status");
  var post = function (message) {
    message.source = "hcaptcha-stand-in";
    message.id = config.id;
    parent.postMessage(message, config.origin);
  };
  function verify() {
    box.disabled = true;
    fetch("/checkcaptcha", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ sitekey: config.sitekey, host: config.host }) })
      .then(function (r) { return r.json(); })
      .then(function (issued) {
        box.checked = true;
        status.textContent = config.done;
        post({ type: "verified", token: issued.token, key: issued.key });
      })
      .catch(function () { box.checked = false; box.disabled = false; });
  }
  box.addEventListener("change", function () { if (box.checked) { box.checked = false; verify(); } });
  window.addEventListener("message", function (event) {
    if (event.source !== parent || !event.data || event.data.source !== "hcaptcha-stand-in") return;
    if (event.data.type === "reset") { box.checked = false; box.disabled = false; status.textContent = ""; }
    if (event.data.type === "execute" && !box.checked && !box.disabled) verify();
  });
})();
</script>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------------------------------------------
// siteverify: hCaptcha's documented answers for its test keys.

function siteverifyAnswer(form: URLSearchParams, issued: Map<string, Issued>, now: number): Record<string, unknown> {
  const refuse = (code: string) => ({ success: false, "error-codes": [code] });
  const secret = form.get("secret");
  const response = form.get("response");
  if (!secret) return refuse("missing-input-secret");
  if (secret !== TEST_SECRET) return refuse("invalid-input-secret");
  const sitekey = form.get("sitekey");
  if (sitekey && sitekey !== TEST_SITE_KEY) return refuse("sitekey-secret-mismatch");
  if (!response) return refuse("missing-input-response");
  const token = issued.get(response);
  if (!token) return refuse("invalid-input-response");
  if (token.redeemed) return refuse("already-seen-response");
  if (now - token.issuedAt > TOKEN_TTL_MS) return refuse("expired-input-response");
  token.redeemed = true;
  // The token's own site key and host name are echoed back, as hCaptcha reports where the widget was solved: a token
  // from a widget with another site key, or on another site, passes here, and only the portal's own checks refuse it.
  return {
    success: true,
    challenge_ts: new Date(token.issuedAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
    hostname: token.hostname,
    sitekey: token.sitekey,
    credit: false,
  };
}

// ---------------------------------------------------------------------------------------------------------------

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: http.ServerResponse, status: number, body: string, type: string, extra: Record<string, string> = {}) {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-store", ...extra });
  res.end(body);
}
const sendJson = (res: http.ServerResponse, status: number, body: unknown) =>
  send(res, status, JSON.stringify(body), "application/json; charset=utf-8");

function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export async function startHcaptchaStandIn(options: HcaptchaStandInOptions): Promise<HcaptchaStandIn> {
  const host = options.host ?? "127.0.0.1";
  const slowMs = options.slowMs ?? 8_000;
  let mode: SiteverifyMode = "pass";
  // A mode for one token only (set after its tick): tests that run side by side each keep their own siteverify.
  const tokenModes = new Map<string, SiteverifyMode>();
  let recorded: Verification[] = [];
  const issued = new Map<string, Issued>();
  const held = new Set<NodeJS.Timeout>();

  const issueToken = ({ sitekey, hostname }: { sitekey: string; hostname: string }) => {
    const token = `P1_standin.${randomBytes(48).toString("base64url")}`;
    issued.set(token, { sitekey, hostname, issuedAt: Date.now(), redeemed: false });
    return token;
  };

  const siteverify = (res: http.ServerResponse, body: string) => {
    const form = new URLSearchParams(body);
    const secret = form.get("secret");
    const entry: Verification = {
      at: new Date().toISOString(),
      response: form.get("response"),
      remoteip: form.get("remoteip"),
      sitekey: form.get("sitekey"),
      secret: !secret ? "missing" : secret === TEST_SECRET ? "test-secret" : "other",
      status: 200,
      answer: null,
    };
    recorded.push(entry);
    const answerMode = tokenModes.get(entry.response ?? "") ?? mode;
    if (answerMode === "error") {
      entry.status = 500;
      return send(res, 500, "Internal Server Error", "text/plain; charset=utf-8");
    }
    const answer = () => {
      entry.answer =
        answerMode === "fail" ? { success: false, "error-codes": ["invalid-input-response"] } : siteverifyAnswer(form, issued, Date.now());
      sendJson(res, 200, entry.answer);
    };
    if (answerMode !== "slow") return answer();
    const timer = setTimeout(() => {
      held.delete(timer);
      answer();
    }, slowMs);
    held.add(timer);
  };

  const control = (res: http.ServerResponse, body: string, what: string) => {
    if (what === "GET /__control/health") return sendJson(res, 200, { ok: true, siteverify: mode });
    if (what === "GET /__control/verifications") return sendJson(res, 200, recorded);
    if (what === "POST /__control/reset") {
      mode = "pass";
      tokenModes.clear();
      recorded = [];
      return sendJson(res, 200, { ok: true, siteverify: mode });
    }
    if (what === "POST /__control/mode") {
      const input = parseJsonObject(body);
      const wanted = input.siteverify;
      if (!MODES.includes(wanted as SiteverifyMode)) return sendJson(res, 400, { error: `siteverify must be one of ${MODES.join(", ")}` });
      // {"siteverify": …, "response": <token>}: for that token only; without a token, for every other one.
      if (typeof input.response === "string" && input.response) {
        tokenModes.set(input.response, wanted as SiteverifyMode);
        return sendJson(res, 200, { ok: true, siteverify: wanted, response: input.response });
      }
      mode = wanted as SiteverifyMode;
      return sendJson(res, 200, { ok: true, siteverify: mode });
    }
    return sendJson(res, 404, { error: "unknown control endpoint" });
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const what = `${req.method} ${url.pathname}`;
    readBody(req)
      .then((body) => {
        if (url.pathname.startsWith("/__control/")) return control(res, body, what);
        if (what === "GET /1/api.js") {
          // The component loads the script with crossorigin="anonymous", so it must be served with CORS.
          const origin = `http://${req.headers.host ?? `${host}:${port}`}`;
          return send(res, 200, widgetScript(origin), "text/javascript; charset=utf-8", { "Access-Control-Allow-Origin": "*" });
        }
        if (what === "GET /widget") return send(res, 200, widgetPage(url.searchParams), "text/html; charset=utf-8");
        if (what === "POST /checkcaptcha") {
          const input = parseJsonObject(body);
          if (typeof input.sitekey !== "string" || !input.sitekey || typeof input.host !== "string")
            return sendJson(res, 400, { error: "sitekey and host are required" });
          return sendJson(res, 200, {
            token: issueToken({ sitekey: input.sitekey, hostname: input.host }),
            key: `E0_${randomBytes(12).toString("base64url")}`,
          });
        }
        if (what === "POST /siteverify") return siteverify(res, body);
        return sendJson(res, 404, { error: "not found" });
      })
      .catch((error: unknown) => sendJson(res, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    setMode: (m) => {
      mode = m;
    },
    reset: () => {
      mode = "pass";
      tokenModes.clear();
      recorded = [];
    },
    verifications: () => recorded.map((v) => ({ ...v })),
    issueToken,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of held) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
