// The failure report at the end of a failed `npm test` (scripts/test.sh): for every test that failed, or passed only on
// a retry, its name, where it ran (Vitest project or Playwright project), each attempt's status and duration, the first
// line of its error, and its trace — so a failure can be diagnosed from the CI log alone.
// Reads the JSON reports the run wrote (Vitest's json reporter, Playwright's json reporter); printed by
// scripts/report-failures.ts.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export type Attempt = { status: string; ms: number; error?: string; trace?: string };
export type Entry = { suite: string; title: string; where: string; outcome: "failed" | "flaky"; attempts: Attempt[] };

// ---- Playwright's json reporter (only the fields read here)
type PwAttachment = { name: string; path?: string };
type PwResult = {
  status: string;
  duration: number;
  retry: number;
  errors?: { message?: string }[];
  error?: { message?: string };
  attachments?: PwAttachment[];
};
type PwTest = { projectName: string; status: string; results: PwResult[] };
type PwSpec = { title: string; file: string; line: number; tests: PwTest[] };
type PwSuite = { title: string; file?: string; specs?: PwSpec[]; suites?: PwSuite[] };
type PwReport = { config?: unknown; suites: PwSuite[]; errors?: { message?: string }[] };

// ---- Vitest's json reporter (Jest-compatible)
type VtAssertion = {
  ancestorTitles?: string[];
  fullName?: string;
  title: string;
  status: string;
  duration?: number | null;
  failureMessages?: string[];
};
type VtFile = { name: string; status: string; message?: string; assertionResults: VtAssertion[] };
type VtReport = { testResults: VtFile[]; numFailedTests?: number };

/** The first meaningful line of an error message, without the terminal's colour codes. */
export function firstLine(message: string | undefined): string | undefined {
  if (!message) return undefined;
  const plain = message.replace(/\u001b\[[0-9;]*m/g, "");
  return plain
    .split("\n")
    .map((line) => line.trim())
    .find(Boolean);
}

export function fromPlaywright(report: PwReport, suite: string): Entry[] {
  const entries: Entry[] = [];
  // The top-level suites are files, whose names `where` already shows; below them, describe() blocks.
  const walk = (s: PwSuite, titles: string[], top: boolean) => {
    const path_ = top ? [] : [...titles, s.title].filter(Boolean);
    for (const spec of s.specs ?? []) {
      for (const test of spec.tests) {
        // expected = passed (or failed where failure was expected), skipped; flaky = passed on a retry.
        if (test.status !== "unexpected" && test.status !== "flaky") continue;
        entries.push({
          suite,
          title: [...path_, spec.title].join(" › "),
          where: `${spec.file}:${spec.line} [${test.projectName}]`,
          outcome: test.status === "flaky" ? "flaky" : "failed",
          attempts: test.results.map((r) => ({
            status: r.status,
            ms: r.duration,
            error: firstLine(r.errors?.[0]?.message ?? r.error?.message),
            trace: r.attachments?.find((a) => a.name === "trace")?.path,
          })),
        });
      }
    }
    for (const child of s.suites ?? []) walk(child, path_, false);
  };
  for (const s of report.suites) walk(s, [], true);
  // Errors outside any test (the web server did not start, a file did not load).
  for (const error of report.errors ?? []) {
    entries.push({
      suite,
      title: "(outside any test)",
      where: "",
      outcome: "failed",
      attempts: [{ status: "error", ms: 0, error: firstLine(error.message) }],
    });
  }
  return entries;
}

export function fromVitest(report: VtReport, suite: string, root = process.cwd()): Entry[] {
  const entries: Entry[] = [];
  for (const file of report.testResults) {
    const relative = path.relative(root, file.name);
    const where = relative && !relative.startsWith("..") ? relative : file.name;
    const failed = file.assertionResults.filter((a) => a.status === "failed");
    for (const a of failed) {
      entries.push({
        suite,
        title: a.ancestorTitles ? [...a.ancestorTitles, a.title].join(" › ") : (a.fullName ?? a.title),
        where,
        outcome: "failed",
        attempts: [{ status: "failed", ms: Math.round(a.duration ?? 0), error: firstLine(a.failureMessages?.[0]) }],
      });
    }
    // A file that failed without a failed test: it did not load, or a hook failed.
    if (file.status === "failed" && failed.length === 0) {
      entries.push({
        suite,
        title: "(the file itself)",
        where,
        outcome: "failed",
        attempts: [{ status: "failed", ms: 0, error: firstLine(file.message) }],
      });
    }
  }
  return entries;
}

/** The report's lines; empty when nothing failed or was flaky. */
export function format(all: Entry[]): string[] {
  if (all.length === 0) return [];
  const entries = [...all.filter((e) => e.outcome === "failed"), ...all.filter((e) => e.outcome === "flaky")];
  const failed = entries.filter((e) => e.outcome === "failed").length;
  const lines = [`${failed} failed, ${entries.length - failed} flaky (passed only on a retry):`];
  for (const e of entries) {
    lines.push(`${e.outcome.toUpperCase()}  ${e.suite}: ${e.title}`);
    if (e.where) lines.push(`    at ${e.where}`);
    const history = e.attempts.map((a, i) => `#${i + 1} ${a.status} (${(a.ms / 1000).toFixed(1)}s)`).join(" → ");
    lines.push(`    attempts: ${history}`);
    e.attempts.forEach((a, i) => {
      if (a.error) lines.push(`    #${i + 1} error: ${a.error.length > 300 ? `${a.error.slice(0, 300)}…` : a.error}`);
      if (a.trace) lines.push(`    #${i + 1} trace: ${a.trace}  (npx playwright show-trace ${a.trace})`);
    });
  }
  return lines;
}

/** Every report in the folder: vitest*.json from Vitest, playwright*.json from Playwright; the file name is the suite. */
export function collect(folder: string): Entry[] {
  if (!existsSync(folder)) return [];
  const entries: Entry[] = [];
  for (const name of readdirSync(folder).sort()) {
    if (!name.endsWith(".json")) continue;
    const suite = name.replace(/\.json$/, "");
    let report: unknown;
    try {
      report = JSON.parse(readFileSync(path.join(folder, name), "utf8"));
    } catch (error) {
      entries.push({
        suite,
        title: "(report unreadable)",
        where: name,
        outcome: "failed",
        attempts: [{ status: "error", ms: 0, error: String(error) }],
      });
      continue;
    }
    if (name.startsWith("vitest")) entries.push(...fromVitest(report as VtReport, suite));
    else if (name.startsWith("playwright")) entries.push(...fromPlaywright(report as PwReport, suite));
  }
  return entries;
}
