// `npm run build`'s second step: makes .next/pglite-template.tar.gz, the migrated empty embedded database a first start
// loads instead of initialising one (lib/db/pglite-template.ts). Skipped quietly when there is no .next folder.
import { existsSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { saveTemplate } from "@/lib/db/pglite-template";

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
  const client = new PGlite();
  await client.waitReady;
  await migrate(drizzle(client), { migrationsFolder });
  const dump = await client.dumpDataDir("gzip");
  await client.close();
  const file = saveTemplate(migrationsFolder, Buffer.from(await dump.arrayBuffer()));
  console.log(
    `pglite-template: ${path.relative(process.cwd(), file)} (${(dump.size / 2 ** 20).toFixed(1)} MiB) in ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
