// The portal's HTTP server (`npm start`; `npm run dev` with --dev): Next.js through its programmatic API, with what a
// production service needs in front of it.
// - Every request carries the TCP peer in x-toegang-peer (a client's copy is deleted first) and a request id in
//   x-request-id (kept when a proxy sent a valid one); the portal decides the client IP from the peer alone
//   (lib/security/client-ip.ts), so X-Forwarded-For counts only from TRUSTED_PROXIES.
// - Request bodies over MAX_REQUEST_BODY_KB are refused with 413 before anything reads them.
// - One JSON log line per request (server/log.mjs), Prometheus metrics at /api/metrics when METRICS_TOKEN is set.
// - "ready" is logged only after the portal's start (configuration, database, migrations) has succeeded.
// - SIGTERM/SIGINT: stop accepting, let in-flight requests finish (SHUTDOWN_GRACE_SECONDS), run the portal's shutdown
//   hooks (timers, database), exit 0.
// Plain JavaScript, so it runs without a build step of its own.
// First: the embedded database starts opening on its own thread while everything below loads.
import "./early-database.mjs";
import { randomUUID, timingSafeEqual } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { captureConsole, createLogger, levelFrom, requestIdsAsDigests, requestScope, safeError } from "./log.mjs";
import { addCollectedGauge, createMetrics, routeLabel } from "./metrics.mjs";
import { holdServerErrors, isFetchAction, loadTexts, localeOf, unavailableActionAnswer, unavailableResponse } from "./unavailable.mjs";

const dev = process.argv.includes("--dev");
// React and Next pick their production or development build when first loaded, so this comes before importing Next.
process.env.NODE_ENV = dev ? "development" : "production";
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bridge = (globalThis[Symbol.for("toegang.server")] ??= { shutdownHooks: new Map() });
const { default: next } = await import("next");

/** Server settings, read before the portal loads (the rest of the configuration is lib/config.ts). */
function readServerSettings(env) {
  const fail = (line) => {
    console.error(`Configuration error: ${line}`);
    process.exit(1);
  };
  const whole = (name, fallback, min, max) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) fail(`${name} must be a whole number from ${min} to ${max}`);
    return value;
  };
  let logLevel = "info";
  try {
    logLevel = levelFrom(env.LOG_LEVEL);
  } catch (error) {
    fail(error.message);
  }
  return {
    port: whole("PORT", 3000, 1, 65_535),
    host: env.HOST || undefined,
    logLevel,
    shutdownGraceSeconds: whole("SHUTDOWN_GRACE_SECONDS", 15, 0, 3_600),
    maxBodyBytes: whole("MAX_REQUEST_BODY_KB", 128, 1, 102_400) * 1024,
  };
}

const settings = readServerSettings(process.env);
const logger = createLogger({ level: settings.logLevel });
captureConsole(logger);
// The error page's reference (Next's digest) is the request id in the log line, with JavaScript too.
requestIdsAsDigests();
const metrics = createMetrics();

/**
 * What the server and the portal's code (bundled by Next, so it cannot import this file) share: the logger, the
 * metrics, where the server listens, the portal's published settings and its shutdown hooks. lib/server-bridge.ts.
 */
Object.assign(bridge, {
  logger,
  metrics,
  addCollectedGauge: (spec) => addCollectedGauge(metrics, spec),
  listen: { host: settings.host ?? null, port: settings.port },
});

const REQUEST_ID = /^[\w.-]{1,64}$/;
const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const loopbackHost = (host) => host === "localhost" || host === "::1" || /^127\./.test(host) || host === "::ffff:127.0.0.1";

const routinePath = (pathname) =>
  pathname.startsWith("/api/health/") || pathname.startsWith("/_next/static/") || pathname === "/api/metrics";

const app = next({ dev, dir, port: settings.port, hostname: settings.host ?? "localhost" });
let handle;
let texts;
let stopping = false;
/** The portal's start (instrumentation.ts → lib/startup.ts): configuration, database, migrations, demo users. */
const portalStart = new Promise((resolve) => (bridge.markStarted = resolve));
const databaseReady = new Promise((resolve) => (bridge.markDatabaseReady = resolve));
/** Whether that start is done; until then requests with a body wait for it. */
let portalStarted = false;
void portalStart.then(() => (portalStarted = true));
let inFlight = 0;
const idleWaiters = new Set();

function plain(res, status, text, headers = {}) {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", ...headers });
  res.end(text);
}

/** GET /api/metrics: Prometheus text, for a Bearer METRICS_TOKEN only; 404 when no token is configured. */
async function serveMetrics(req, res) {
  const token = bridge.portal?.metricsToken;
  if (!token) return plain(res, 404, "Not found\n");
  const given = Buffer.from(/^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? "");
  const wanted = Buffer.from(token);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return plain(res, 401, "Unauthorized\n", { "WWW-Authenticate": 'Bearer realm="metrics"' });
  }
  res.writeHead(200, { "Content-Type": metrics.registry.contentType, "Cache-Control": "no-store" });
  res.end(await metrics.registry.metrics());
}

/** Which of the portal's dependencies cannot be reached (bridge.checkDependencies, from lib/health.ts), cached 2 s. */
let dependencyCache = { at: 0, down: Promise.resolve([]) };
function dependenciesDown() {
  if (!bridge.checkDependencies) return Promise.resolve([]);
  if (Date.now() - dependencyCache.at > 2_000) {
    dependencyCache = { at: Date.now(), down: bridge.checkDependencies().catch(() => ["database"]) };
  }
  return dependencyCache.down;
}
bridge.dependenciesDown = dependenciesDown;

/** A route the portal answers without Next (bridge.fastRoutes): the same logging, limits and 503 page as any other. */
async function serveFast(route, req, res, id) {
  try {
    const query = req.url.indexOf("?");
    const answer = await route(query < 0 ? "" : req.url.slice(query + 1), (name) => {
      const value = req.headers[name];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    });
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  } catch (error) {
    logger.error({ reqId: id, err: safeError(error) }, "request failed");
    if (!res.headersSent) plain(res, 500, `Internal error (reference ${id})\n`);
    else res.destroy();
  }
}

function onRequest(req, res) {
  // Until the portal's start is done (the demo users being written), the server answers pages but holds every request
  // with a body, so a sign-in cannot race the seeding, and the readiness probe says not yet.
  if (!portalStarted && !dev) {
    if (BODY_METHODS.has(req.method ?? "")) return void portalStart.then(() => onRequest(req, res));
    if ((req.url ?? "").split("?")[0] === "/api/health/ready") {
      return plain(res, 503, '{"status":"starting"}\n', { "Content-Type": "application/json", "Retry-After": "1" });
    }
  }
  const started = process.hrtime.bigint();
  // The peer header is the server's alone: a client's copy never reaches the portal.
  delete req.headers["x-toegang-peer"];
  if (req.socket.remoteAddress) req.headers["x-toegang-peer"] = req.socket.remoteAddress;
  const incomingId = req.headers["x-request-id"];
  const id = typeof incomingId === "string" && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
  req.headers["x-request-id"] = id;
  res.setHeader("X-Request-Id", id);
  if (stopping) res.setHeader("Connection", "close");

  inFlight += 1;
  metrics.inFlight.inc();
  const pathname = (req.url ?? "/").split("?")[0].slice(0, 512);
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    inFlight -= 1;
    metrics.inFlight.dec();
    const status = res.headersSent ? res.statusCode : 499;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const route = routeLabel(pathname, status);
    metrics.requests.inc({ route, method: req.method, status: String(status) });
    metrics.duration.observe({ route, method: req.method }, seconds);
    // Probes and static files are routine: only at debug level.
    const routine = routinePath(pathname);
    const line = { reqId: id, method: req.method, route: pathname, status, durationMs: Math.round(seconds * 10_000) / 10 };
    if (!res.writableFinished) line.aborted = true;
    logger[routine && status < 500 ? "debug" : status >= 500 ? "error" : "info"](line, "request");
    if (inFlight === 0) for (const wake of idleWaiters) wake();
  };
  res.once("finish", finish);
  res.once("close", finish);

  requestScope.run({ id }, () => {
    if (BODY_METHODS.has(req.method ?? "")) {
      const length = req.headers["content-length"];
      if (length !== undefined && !(Number(length) <= settings.maxBodyBytes)) {
        return plain(res, 413, "Request body too large / Verzoek te groot\n", { Connection: "close" });
      }
      if (length === undefined && req.headers["transfer-encoding"]) {
        return plain(res, 411, "Content-Length required / Content-Length vereist\n", { Connection: "close" });
      }
    }
    if (pathname === "/api/metrics" && req.method === "GET") {
      return void serveMetrics(req, res).catch((error) => {
        logger.error({ err: error }, "metrics failed");
        if (!res.headersSent) plain(res, 500, "Metrics unavailable\n");
      });
    }
    if (!routinePath(pathname)) {
      // A 5xx while the database or directory is unreachable becomes the translated "temporarily unavailable" page.
      holdServerErrors(res, async (status, contentType) => {
        const down = await dependenciesDown();
        if (!down.length) return null;
        for (const dependency of down) metrics.unavailable.inc({ dependency });
        logger.error({ reqId: id, status, unavailable: down }, "dependency unreachable: answered 503 (temporarily unavailable)");
        if (isFetchAction(req) && contentType.startsWith("text/x-component")) return unavailableActionAnswer(id);
        return unavailableResponse(texts, localeOf(req), id, pathname.startsWith("/api/"));
      });
    }
    const fast = req.method === "GET" ? bridge.fastRoutes?.[pathname] : undefined;
    if (fast) return void serveFast(fast, req, res, id);
    handle(req, res).catch((error) => {
      logger.error({ err: safeError(error) }, "request failed outside the portal's error handling");
      if (!res.headersSent) plain(res, 500, `Internal error (reference ${id})\n`);
      else res.destroy();
    });
  });
}

/**
 * Loads the sign-in page's and the recovery wizard's first page's code, the way Next loads a route for its first request
 * (its own preload, minus the admin, API and development routes). Only an optimisation: any failure is left to the
 * first request, which loads the route itself.
 */
async function preloadFirstPages() {
  try {
    const { createRequire } = await import("node:module");
    const { loadComponents } = createRequire(import.meta.url)("next/dist/server/load-components.js");
    for (const page of ["/[locale]/page", "/[locale]/recover/page"]) {
      const { ComponentMod } = await loadComponents({
        distDir: path.join(dir, ".next"),
        page,
        isAppPath: true,
        isDev: false,
        sriEnabled: false,
        needsManifestsForLegacyReasons: false,
      });
      ComponentMod.patchFetch?.();
    }
  } catch (error) {
    logger.debug({ err: safeError(error) }, "preloading the first pages failed");
  }
}

async function start() {
  const t0 = Date.now();
  await app.prepare();
  // While the portal's start finishes (the database, the demo users), the code of the pages a visitor opens first is
  // loaded, as Next's preloadEntriesOnStart would load every route's (next.config.ts says why that is off).
  if (!dev) void preloadFirstPages();
  // Next calls instrumentation.ts while preparing but does not wait for it; the portal's start says when the database
  // is open and migrated (the server listens from then on) and when it is done (and ends the process with one clear line
  // when it cannot start), so "ready" below means the database was checked and the demo users are written.
  // (Not in development, where the start is not awaited: a timeout nobody waits for would end the process after 120 s.)
  const timeout = dev
    ? null
    : new Promise((_, reject) => setTimeout(() => reject(new Error("the portal's start did not finish in 120 s")), 120_000).unref());
  if (timeout) await Promise.race([databaseReady, portalStart, timeout]);
  handle = app.getRequestHandler();
  texts = loadTexts(dir);
  const server = http.createServer(onRequest);
  server.on("clientError", (error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
    logger.debug({ code: error.code }, "malformed HTTP request refused");
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, resolve);
  });
  if (timeout) await Promise.race([portalStart, timeout]);
  const address = server.address();
  const shown = settings.host ?? "all interfaces";
  if (bridge.portal?.smsProvider === "outbox" && !(settings.host && loopbackHost(settings.host))) {
    const banner = "!".repeat(100);
    const lines = [
      `WARNING: the portal listens on ${shown} (port ${address.port}) with SMS_PROVIDER=outbox: codes are not sent to phones but kept in`,
      `the outbox, readable at /dev/outbox from this machine only.`,
      // The test answer is the other thing only this machine gets (lib/captcha/builtin.ts); the bridge says only whether it is set.
      ...(bridge.portal.captchaTestAnswer
        ? [
            `The CAPTCHA's test answer (CAPTCHA_TEST_ANSWER) is likewise accepted from this machine only; anyone else must solve the CAPTCHA.`,
          ]
        : []),
      `Configure a real SMS provider before anyone else uses this portal, or set HOST=127.0.0.1 to listen on this machine only.`,
    ];
    logger.warn(`\n${banner}\n${lines.join("\n")}\n${banner}`);
  }
  logger.info({ port: address.port, host: shown, dev, startMs: Date.now() - t0 }, `Toegang is ready on port ${address.port}`);

  const stop = async (signal) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: stopping at once");
      process.exit(1);
    }
    stopping = true;
    const graceMs = settings.shutdownGraceSeconds * 1000;
    logger.info({ signal, inFlight, graceSeconds: settings.shutdownGraceSeconds }, "stopping: no new connections, finishing requests");
    server.close();
    server.closeIdleConnections();
    const finished = await new Promise((resolve) => {
      if (inFlight === 0) return resolve(true);
      const timer = setTimeout(() => resolve(false), graceMs);
      idleWaiters.add(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    const cutOff = finished ? 0 : inFlight;
    if (cutOff) logger.warn({ inFlight: cutOff }, "grace period over: cutting off the requests still running");
    server.closeAllConnections();
    // Timers and workers first, the database last.
    const hooks = [...bridge.shutdownHooks].sort(([a], [b]) => (a === "database") - (b === "database"));
    for (const [name, hook] of hooks) {
      try {
        await hook();
      } catch (error) {
        logger.error({ err: error, hook: name }, "shutdown step failed");
      }
    }
    await app.close().catch(() => {});
    logger.info({ signal, cutOff }, "stopped");
    process.exit(cutOff ? 1 : 0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

start().catch((error) => {
  logger.fatal({ err: error }, "Toegang could not start");
  process.exit(1);
});
