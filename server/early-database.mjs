// Imported first by server/main.mjs, before its own modules and Next.js load: without DATABASE_URL the portal uses the
// embedded database in DATA_DIR, and it opens here, on its own thread (lib/db/embedded-host.mjs), while the rest of the
// server loads (about a second each on a 2-core machine). The portal takes it over when it asks for the same folder
// (lib/db/client.ts). A configuration the portal refuses still stops the start with its own message.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_DATA_DIR } from "../lib/db/embedded-folder.mjs";
import { EmbeddedDatabase } from "../lib/db/embedded-host.mjs";

if (!process.argv.includes("--dev") && !process.env.DATABASE_URL) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const bridge = (globalThis[Symbol.for("toegang.server")] ??= { shutdownHooks: new Map() });
  bridge.embeddedDatabase = new EmbeddedDatabase({
    dataDir: path.resolve(process.env.DATA_DIR || DEFAULT_DATA_DIR),
    migrationsFolder: path.join(root, "drizzle"),
  });
}
