// Server start: a wrong setting stops the start with one clear line; otherwise migrate, seed demo users, and say where to go.
import "server-only";
import { ConfigError, getConfig } from "@/lib/config";
import { getDbHandle } from "@/lib/db/client";
import { serverBridge } from "@/lib/server-bridge";
import { formatDemoUsers, seedDemoUsers } from "@/lib/users/demo";

export async function startPortal(): Promise<void> {
  let config;
  try {
    config = getConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  try {
    const handle = await getDbHandle();
    const where = handle.driver === "pglite" ? `embedded PGlite in ${config.dataDir}` : "PostgreSQL (DATABASE_URL)";
    console.log(`Toegang: database ready (${where}), migrations applied.`);
    // For the server (server/main.mjs), which logs "ready" and starts listening only after this.
    const bridge = serverBridge();
    bridge.portal = { started: true, metricsToken: config.metricsToken, smsProvider: config.smsProvider };
    if (config.seedDemoUsers) {
      const list = await seedDemoUsers(handle.db, config.orgDomain);
      const port = process.env.PORT ?? "3000";
      console.log(
        `\nToegang is running: http://localhost:${port}\nDemo users (their SMS codes and calls appear at http://localhost:${port}/dev/outbox):\n${formatDemoUsers(list)}\n`,
      );
    }
    bridge.markStarted?.();
  } catch (error) {
    // A failed query's own message only quotes the SQL; its cause says what went wrong.
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
    console.error(`Toegang could not start: ${error instanceof Error ? error.message : String(error)}${cause}`);
    process.exit(1);
  }
}
