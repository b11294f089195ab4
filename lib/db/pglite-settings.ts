// How the portal starts the embedded PostgreSQL (PGlite): its own start parameters plus a smaller shared buffer pool.
// PGlite keeps PostgreSQL's default of 128 MB, which it allocates and initialises inside WebAssembly at every start: on
// this 2-core machine a start on the build's template took 1.09–1.15 s with 128 MB, 0.68–0.71 s with 16 MB (8 MB was no
// faster, 32 MB 0.82 s), and the process's resident memory after opening fell from about 290 MB to 171 MB. The embedded
// database is for a single small installation; its files stay in the operating system's page cache besides. Installations
// that outgrow it use PostgreSQL (DATABASE_URL), where the server's own settings apply.
import type { PGlite } from "@electric-sql/pglite";

export const EMBEDDED_SHARED_BUFFERS = "16MB";

/** Options for `new PGlite(dir, …)` wherever the portal opens its embedded database (the portal, the template, backups). */
export function embeddedStartOptions(pglite: typeof PGlite): { startParams: string[] } {
  return { startParams: [...pglite.defaultStartParams, "-c", `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`] };
}
