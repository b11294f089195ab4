// A migrated, empty embedded database made once at build time (`npm run build` runs scripts/pglite-template.ts), so the
// first start on a fresh data folder copies it instead of running PostgreSQL's initdb and every migration inside
// WebAssembly. It is a closed PGlite data folder (.next/pglite-template/), copied with the file system's own copy: about
// 0.1 s here, where unpacking an archive through PGlite's in-WebAssembly file system took about 0.8 s. It holds the
// schema only: no secret, no user, no row that differs between installations. It is used only when it was made by the
// same PGlite version from the same migrations; otherwise the start initialises as before.
import { embeddedStartOptions, removeTemplate, stampTemplate, templateFolder } from "./embedded-folder.mjs";

// The template's rules (where it lives, its stamp, the copy into a fresh folder) are in embedded-folder.mjs, which the
// embedded database's thread uses before Next.js loads.
export { copyTemplate, stampTemplate, templateFolder, templateIsCurrent, templateStamp } from "./embedded-folder.mjs";

/**
 * Makes the template afresh (.next/pglite-template/ and its stamp): a new PGlite folder, every migration, closed. The
 * build's second step (scripts/pglite-template.ts) and the tests' global setup (tests/pglite-template-setup.ts).
 */
export async function makeTemplate(migrationsFolder: string): Promise<void> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  removeTemplate();
  const client = new PGlite(templateFolder(), embeddedStartOptions(PGlite));
  await client.waitReady;
  await migrate(drizzle(client), { migrationsFolder });
  // The portal's database is "postgres"; initdb's template0 and template1 are for CREATE DATABASE, which the embedded
  // database never runs. Without them the template has 470 files instead of 1 070 (25 MB instead of 40), and copying
  // them is what a first start waits for: creating a file costs about 0.3 ms on this machine's disk.
  await client.exec(`update pg_database set datistemplate = false where datname in ('template0', 'template1')`);
  await client.exec("drop database template1");
  await client.exec("drop database template0");
  await client.close();
  stampTemplate(migrationsFolder);
}
