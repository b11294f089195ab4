// The log (server/log.mjs): JSON lines with time, level and the request id; errors without SQL parameters or driver
// details (drizzle's "params:", postgres.js's `parameters`/`detail`), whatever way the code logged them.
import { Writable } from "node:stream";
import { createReactServerErrorHandler } from "next/dist/server/app-render/create-error-handler";
import { afterEach, describe, expect, it } from "vitest";
// prettier-ignore
// @ts-expect-error -- plain JavaScript module without types (it runs without a build step)
import { captureConsole, createLogger, levelFrom, readableLine, requestIdsAsDigests, requestScope, safeError, withoutSqlParameters } from "../server/log.mjs";

function capture(level = "info") {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ level, destination }) };
}

/** The error drizzle throws for a failed query, with a postgres.js error as its cause. */
function failedQuery() {
  const cause = Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
    name: "PostgresError",
    code: "23505",
    detail: "Key (email)=(jan.jansen@flynth.nl) already exists.",
    parameters: ["jan.jansen@flynth.nl", "+31612345656"],
    query: "insert into users (email, phone) values ($1, $2)",
  });
  const error = new Error("Failed query: insert into users (email, phone) values ($1, $2)\nparams: jan.jansen@flynth.nl,+31612345656", {
    cause,
  });
  error.name = "DrizzleQueryError";
  return error;
}

describe("server log", () => {
  it("writes JSON lines with ISO time, level label and the request id of the request being served", () => {
    const { lines, logger } = capture();
    requestScope.run({ id: "req-1" }, () => logger.info({ route: "/nl", status: 200 }, "request"));
    logger.info("outside");
    expect(lines[0]).toMatchObject({ level: "info", reqId: "req-1", route: "/nl", status: 200, msg: "request" });
    expect(new Date(String(lines[0]!.time)).toISOString()).toBe(lines[0]!.time);
    expect(lines[1]).not.toHaveProperty("reqId");
  });

  it("logs errors without SQL parameters, driver details or the values they hold", () => {
    const { lines, logger } = capture();
    logger.error({ err: failedQuery() }, "sign-in failed");
    const text = JSON.stringify(lines);
    expect(text).not.toContain("jan.jansen@flynth.nl");
    expect(text).not.toContain("+31612345656");
    expect(lines[0]).toMatchObject({
      err: { type: "DrizzleQueryError", cause: { type: "PostgresError", code: "23505" } },
    });
    expect(String((lines[0]!.err as { message: string }).message)).toContain("[parameters not logged]");
  });

  it("routes console.* through the logger with the same rules", () => {
    const { lines, logger } = capture("info");
    const saved = { ...console };
    try {
      captureConsole(logger);
      requestScope.run({ id: "req-2" }, () => console.error("sign-in failed unexpectedly [req-2]", failedQuery()));
      console.warn("params: secret-value");
      console.debug("hidden at info level");
    } finally {
      Object.assign(console, saved);
    }
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: "error", reqId: "req-2", msg: "sign-in failed unexpectedly [req-2]" });
    expect(JSON.stringify(lines)).not.toMatch(/jan\.jansen|secret-value/);
    expect(lines[1]).toMatchObject({ level: "warn" });
  });

  it("reads LOG_LEVEL, refusing unknown levels", () => {
    expect(levelFrom(undefined)).toBe("info");
    expect(levelFrom(" DEBUG ")).toBe("debug");
    expect(() => levelFrom("verbose")).toThrow(/LOG_LEVEL must be one of/);
    expect(withoutSqlParameters("a\nparams: 1,2\n    at x (y.js:1:1)")).toBe("a [parameters not logged]\n    at x (y.js:1:1)");
    expect(safeError("text")).toEqual({ message: "text" });
  });
});

describe("readable lines in a terminal", () => {
  it("keeps a multi-line message's lines and adds the other fields as JSON", () => {
    const line = JSON.stringify({ level: "info", time: "2026-11-30T18:48:27.218Z", service: "toegang", msg: "a\nb", port: 3000 });
    expect(readableLine(line)).toBe('18:48:27 INFO  a\nb {"port":3000}\n');
  });
});

describe("the error page's reference", () => {
  afterEach(() => {
    delete (Error.prototype as { digest?: string }).digest;
  });
  /** The digest Next gives an error a server component or action threw: what error.tsx shows with JavaScript. */
  const nextDigest = (error: unknown) => createReactServerErrorHandler(false, false, new Map(), () => {})(error);

  it("is the id of the request that failed, as Next computes it, so it is the reqId of that request's log lines", () => {
    requestIdsAsDigests();
    const { lines, logger } = capture();
    const digest = requestScope.run({ id: "req-7" }, () => {
      const error = new Error("connect ECONNREFUSED 127.0.0.1:5432");
      logger.error({ err: error }, "render failed");
      return nextDigest(error);
    });
    expect(digest).toBe("req-7");
    expect(lines[0]).toMatchObject({ reqId: "req-7", err: { digest: "req-7" } });
    // Another request's error gets that request's id.
    expect(requestScope.run({ id: "req-8" }, () => nextDigest(new Error("connect ECONNREFUSED 127.0.0.1:5432")))).toBe("req-8");
  });

  it("leaves Next's own digests (redirect, not found) and digests outside a request alone", () => {
    requestIdsAsDigests();
    requestScope.run({ id: "req-9" }, () => {
      const redirect = Object.assign(new Error("NEXT_REDIRECT"), { digest: "NEXT_REDIRECT;replace;/nl/recover/code;307;" });
      expect(nextDigest(redirect)).toBe("NEXT_REDIRECT;replace;/nl/recover/code;307;");
    });
    const outside = new Error("at start");
    expect(nextDigest(outside)).toMatch(/^\d+$/);
    expect((outside as Error & { digest?: string }).digest).toMatch(/^\d+$/);
  });

  it("is Next's hash of message and stack without it (what the page showed before: in no log line's reqId)", () => {
    const digest = requestScope.run({ id: "req-7" }, () => nextDigest(new Error("connect ECONNREFUSED 127.0.0.1:5432")));
    expect(digest).toMatch(/^\d+$/);
  });
});
