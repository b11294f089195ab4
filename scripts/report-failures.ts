// Prints the failure report of the run's JSON reports (scripts/failure-report.ts); scripts/test.sh calls it when a
// step failed.  npx tsx scripts/report-failures.ts [folder]   (default: test-reports)
import { collect, format } from "./failure-report";

const folder = process.argv[2] ?? "test-reports";
const lines = format(collect(folder));
console.log(lines.length ? lines.join("\n") : `No failed or flaky test in the reports in ${folder}/ (see the failed step's output above).`);
