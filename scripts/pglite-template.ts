// `npm run build`'s second step: makes .next/pglite-template/, the migrated empty embedded database a first start copies
// instead of initialising one (lib/db/pglite-template.ts). Skipped quietly when there is no .next folder.
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { stampTemplate, templateFolder } from "@/lib/db/pglite-template";

async function main() {
  if (!existsSync(path.join(process.cwd(), ".next"))) {
    console.log("pglite-template: no .next folder (run next build first); skipped");
    return;
  }
  const start = performance.now();
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const migrationsFolder = path.join(process.cwd(), "drizzle");
  const folder = templateFolder();
  rmSync(folder, { recursive: true, force: true });
  // The archive earlier builds made.
  rmSync(path.join(process.cwd(), ".next", "pglite-template.tar.gz"), { force: true });
  const client = new PGlite(folder);
  await client.waitReady;
  await migrate(drizzle(client), { migrationsFolder });
  await client.close();
  stampTemplate(migrationsFolder);
  console.log(`pglite-template: ${path.relative(process.cwd(), folder)}/ in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
