// The portal's log: one JSON line per event on stdout (pino), with time, level and the request id of the request it
// belongs to. Everything the process prints through console.* (Next.js's own error reports included) goes through
// here, so no line escapes the rules: errors are reduced to their type, code, message and stack, SQL parameters and
// driver details (which carry user ids, IPs, token hashes) are cut off, and nothing a user typed is ever a field.
import { AsyncLocalStorage } from "node:async_hooks";
import { format } from "node:util";
import pino from "pino";

/** The request being served, so every line logged while serving it carries its id. */
export const requestScope = new AsyncLocalStorage();

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** Drizzle's "Failed query: …\nparams: …" and similar: everything from the parameter list on is dropped. */
export function withoutSqlParameters(text) {
  return String(text)
    .replace(/\n?\s*params:[\s\S]*?(?=\n\s+at |$)/g, " [parameters not logged]")
    .slice(0, 4000);
}

/**
 * An error as it may be logged: its class, code, message and stack (parameters removed), Next's digest (the reference
 * on the error page) and the same for its cause. Never the driver's own fields (query parameters, `detail` with the
 * offending values, `where`), which pino's standard serializer would copy.
 */
export function safeError(error, depth = 0) {
  if (!(error instanceof Error)) return { message: withoutSqlParameters(typeof error === "string" ? error : format("%o", error)) };
  const out = { type: error.name, message: withoutSqlParameters(error.message) };
  if (typeof error.code === "string" || typeof error.code === "number") out.code = error.code;
  if (typeof error.digest === "string") out.digest = error.digest;
  if (error.stack) out.stack = withoutSqlParameters(error.stack);
  if (error.cause !== undefined && depth < 3) out.cause = safeError(error.cause, depth + 1);
  return out;
}

/**
 * Next's digest of an error (the reference error.tsx shows with JavaScript) becomes the id of the request being served:
 * Next keeps the digest an error already carries and only hashes its message and stack when it has none
 * (next/dist/server/app-render/create-error-handler.js), so a digest read while serving a request is that request's id,
 * the `reqId` of its log lines. Own digests (redirect(), notFound() and Next's other signals) are untouched; outside a
 * request, and whenever something assigns one, the error keeps its own. Read at the time of asking, so an error made in
 * one request and thrown in another gets the id of the one that failed. One trade-off: Next logs the first error of a
 * render with a given digest, so a second, different error in the same render is not logged again (its request id is).
 */
export function requestIdsAsDigests(scope = requestScope) {
  if (Object.getOwnPropertyDescriptor(Error.prototype, "digest")) return;
  Object.defineProperty(Error.prototype, "digest", {
    configurable: true,
    enumerable: false,
    get() {
      return scope.getStore()?.id;
    },
    set(value) {
      Object.defineProperty(this, "digest", { value, writable: true, configurable: true, enumerable: true });
    },
  });
}

export function levelFrom(value) {
  const level = (value ?? "info").trim().toLowerCase();
  if (!LEVELS.includes(level)) throw new Error(`LOG_LEVEL must be one of ${LEVELS.join(", ")}`);
  return level;
}

/**
 * One JSON log line as a person reads it in a terminal: time, level and the message as written (multi-line messages,
 * like the demo users at start, keep their lines), then the other fields as JSON.
 */
export function readableLine(json) {
  const { time, level, msg = "", service: _service, ...rest } = JSON.parse(json);
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : "";
  return `${String(time).slice(11, 19)} ${String(level).toUpperCase().padEnd(5)} ${msg}${extra}\n`;
}

/** JSON lines for log shippers; readable lines when stdout is a terminal (npm start by hand). */
function stdoutDestination() {
  if (!process.stdout.isTTY) return pino.destination({ dest: 1, sync: true });
  return { write: (line) => process.stdout.write(readableLine(line)) };
}

/** The process's logger; LOG_LEVEL decides what is written. `destination` is for tests. */
export function createLogger({ level = "info", destination } = {}) {
  return pino(
    {
      level,
      base: { service: "toegang" },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: "msg",
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: safeError },
      mixin() {
        const scope = requestScope.getStore();
        return scope ? { reqId: scope.id } : {};
      },
    },
    destination ?? stdoutDestination(),
  );
}

/**
 * console.log/info/debug/warn/error become log lines: a lone or leading Error is logged as `err` (safeError), the rest
 * is formatted into the message and cleaned of SQL parameters. Next prints its request errors with console.error.
 */
export function captureConsole(logger) {
  const forward =
    (level) =>
    (...args) => {
      if (!logger.isLevelEnabled(level)) return;
      const errorIndex = args.findIndex((a) => a instanceof Error);
      const err = errorIndex >= 0 ? args[errorIndex] : undefined;
      const rest = errorIndex >= 0 ? args.filter((_, i) => i !== errorIndex) : args;
      const msg = withoutSqlParameters(rest.length ? format(...rest) : (err?.message ?? ""));
      if (err) logger[level]({ err }, msg);
      else logger[level](msg);
    };
  console.log = forward("info");
  console.info = forward("info");
  console.debug = forward("debug");
  console.warn = forward("warn");
  console.error = forward("error");
}
