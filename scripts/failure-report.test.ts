// The failure report printed when `npm test` fails, read from real reporter output (tests/fixtures/reports: Playwright's
// json reporter with one test failing on both attempts, one passing only on its retry, one passing; Vitest's json
// reporter with a failed test and a file that did not load).
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runCli, cliTestTimeout } from "@/tests/cli";
import { collect, format } from "./failure-report";

// Up to 2 CLI runs one after another in a test, each with its own limit (tests/cli.ts).
vi.setConfig({ testTimeout: cliTestTimeout(2) });

const fixtures = path.resolve(__dirname, "../tests/fixtures/reports");
const tmp = mkdtempSync(path.join(os.tmpdir(), "failure-report-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("failure report", () => {
  it("names each failed or flaky test, where it ran, each attempt's status, its error and its trace", () => {
    const lines = format(collect(fixtures));
    expect(lines).toEqual([
      "3 failed, 1 flaky (passed only on a retry):",
      "FAILED  playwright-main: cancel › at every step",
      "    at sample.spec.ts:3 [nl-nojs]",
      expect.stringMatching(/^ {4}attempts: #1 failed \(\d+\.\ds\) → #2 failed \(\d+\.\ds\)$/),
      "    #1 error: Error: the done page's status",
      "    #1 trace: /work/toegang/test-results/sample-cancel-at-every-step-nl-nojs/trace.zip  (npx playwright show-trace /work/toegang/test-results/sample-cancel-at-every-step-nl-nojs/trace.zip)",
      "    #2 error: Error: the done page's status",
      "    #2 trace: /work/toegang/test-results/sample-cancel-at-every-step-nl-nojs-retry1/trace.zip  (npx playwright show-trace /work/toegang/test-results/sample-cancel-at-every-step-nl-nojs-retry1/trace.zip)",
      "FAILED  vitest: (the file itself)",
      "    at /work/toegang/broken.test.ts",
      "    attempts: #1 failed (0.0s)",
      "    #1 error: cannot load: PGlite data folder in use",
      "FAILED  vitest: recovery limits › refuses the sixth flow",
      "    at /work/toegang/sample.test.ts",
      "    attempts: #1 failed (0.0s)",
      "    #1 error: AssertionError: flows allowed: expected 5 to be 6 // Object.is equality",
      "FLAKY  playwright-main: passes on the second attempt",
      "    at sample.spec.ts:5 [nl-nojs]",
      expect.stringMatching(/^ {4}attempts: #1 failed \(\d+\.\ds\) → #2 passed \(\d+\.\ds\)$/),
      "    #1 error: Error: expect(received).toBe(expected) // Object.is equality",
      "    #1 trace: /work/toegang/test-results/sample-passes-on-the-second-attempt-nl-nojs/trace.zip  (npx playwright show-trace /work/toegang/test-results/sample-passes-on-the-second-attempt-nl-nojs/trace.zip)",
    ]);
  });

  it("says nothing when every test passed, and reports a report it cannot read", () => {
    const passing = path.join(tmp, "passing");
    cpSync(fixtures, passing, { recursive: true });
    writeFileSync(path.join(passing, "vitest.json"), JSON.stringify({ testResults: [] }));
    writeFileSync(path.join(passing, "playwright-main.json"), JSON.stringify({ suites: [], errors: [] }));
    expect(format(collect(passing))).toEqual([]);
    writeFileSync(path.join(passing, "playwright-providers.json"), "{ cut off");
    const lines = format(collect(passing));
    expect(lines[1]).toBe("FAILED  playwright-providers: (report unreadable)");
  });

  it("the command prints the report, or a sentence when nothing failed", async () => {
    const printed = await runCli("report-failures", [fixtures], {});
    expect(printed.stdout.split("\n")[0]).toBe("3 failed, 1 flaky (passed only on a retry):");
    const empty = await runCli("report-failures", [path.join(tmp, "none")], {});
    expect(empty.stdout.trim()).toBe(
      `No failed or flaky test in the reports in ${path.join(tmp, "none")}/ (see the failed step's output above).`,
    );
  });
});
