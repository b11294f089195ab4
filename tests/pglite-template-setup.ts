// Vitest global setup of the "unit" project: the embedded database's template (.next/pglite-template/, what
// `npm run build` makes) when this checkout has none made from these migrations, as before a build. Every embedded
// database a test opens (tests/db.ts) and every CLI a test spawns on a fresh data folder then starts as a copy of it,
// as the portal does after a build, instead of running PostgreSQL's initdb and every migration inside WebAssembly
// (about 1.5 s of 3 here, each time, for about a hundred databases a run).
import { mkdirSync } from "node:fs";
import path from "node:path";
import { makeTemplate, templateIsCurrent } from "@/lib/db/pglite-template";

export default async function setup() {
  const migrations = path.join(process.cwd(), "drizzle");
  if (templateIsCurrent(migrations)) return;
  mkdirSync(path.join(process.cwd(), ".next"), { recursive: true });
  await makeTemplate(migrations);
}
