// `npm run build`'s second step: makes .next/pglite-template/, the migrated empty embedded database a first start copies
// instead of initialising one (lib/db/pglite-template.ts). Skipped quietly when there is no .next folder.
import { existsSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { makeTemplate, templateFolder } from "@/lib/db/pglite-template";

async function main() {
  if (!existsSync(path.join(process.cwd(), ".next"))) {
    console.log("pglite-template: no .next folder (run next build first); skipped");
    return;
  }
  const start = performance.now();
  await makeTemplate(path.join(process.cwd(), "drizzle"));
  console.log(
    `pglite-template: ${path.relative(process.cwd(), templateFolder())}/ in ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
