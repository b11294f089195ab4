// Server start: a wrong setting stops the start with one clear line; otherwise migrate, seed demo users, and say where to go.
import "server-only";
import { ConfigError, getConfig } from "@/lib/config";
import { getDbHandle } from "@/lib/db/client";
import { onShutdown, serverBridge } from "@/lib/server-bridge";
import { formatDemoUsers, prepareDemoUsers, seedDemoUsers } from "@/lib/users/demo";

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
    // The demo users' passwords are hashed on other threads while the database opens; awaited (and any failure reported)
    // when they are seeded below.
    const demo = config.seedDemoUsers ? prepareDemoUsers(config.orgDomain) : null;
    demo?.catch(() => {});
    const handle = await getDbHandle();
    const where = handle.driver === "pglite" ? `embedded PGlite in ${config.dataDir}` : "PostgreSQL (DATABASE_URL)";
    console.log(`Toegang: database ready (${where}), migrations applied.`);
    // For the server (server/main.mjs), which logs "ready" and starts listening only after this.
    const bridge = serverBridge();
    bridge.portal = {
      started: true,
      metricsToken: config.metricsToken,
      smsProvider: config.smsProvider,
      // Whether one is set, never the answer itself: the start warning names it.
      captchaTestAnswer: Boolean(config.captchaTestAnswer),
    };
    // The CAPTCHA picture is answered by the server ahead of Next's routing (lib/captcha/media-response.ts says why).
    const { captchaImageFastRoute } = await import("@/lib/captcha/media-response");
    bridge.fastRoutes = { "/api/captcha/image": captchaImageFastRoute };
    // The server may listen now: pages need nothing more, and it holds requests with a body until markStarted below.
    bridge.markDatabaseReady?.();
    if (demo) {
      const list = await seedDemoUsers(handle.db, config.orgDomain, demo);
      const port = process.env.PORT ?? "3000";
      console.log(
        `\nToegang is running: http://localhost:${port}\nDemo users (their SMS codes and calls appear at http://localhost:${port}/dev/outbox):\n${formatDemoUsers(list)}\n`,
      );
    }
    // Notifications left pending (a provider outage, a restart) go out now, failed ones again after their backoff.
    const { pendingMessages, startMessageWorker, stopMessageWorker } = await import("@/lib/messaging/queue");
    // On shutdown, first the sends that requests scheduled after their responses (a code, an alert's first attempt),
    // then the worker, then the database (server/main.mjs runs the hooks in this order, the database last).
    const { settleBackground } = await import("@/lib/background");
    onShutdown("after-response", async () => {
      if (!(await settleBackground()))
        console.error("shutdown: sends after a response still running after 30 s; the worker retries notifications");
    });
    startMessageWorker();
    onShutdown("message-worker", stopMessageWorker);
    bridge.addCollectedGauge?.({
      name: "toegang_message_queue_pending",
      help: "Notifications waiting to be sent (first attempt or a retry)",
      read: () => pendingMessages(handle.db),
    });
    bridge.addCollectedGauge?.({
      name: "toegang_sms_breaker_open",
      help: "1 while a global SMS cap (SMS_CAP_PER_HOUR, SMS_CAP_PER_DAY) refuses messages",
      read: async () => {
        const { breakerOpen } = await import("@/lib/messaging/spend-guard");
        return (await breakerOpen(handle.db)) ? 1 : 0;
      },
    });
    bridge.addCollectedGauge?.({
      name: "toegang_database_up",
      help: "1 when the dependency (database, and the directory when configured) answered the check at scrape time",
      labelNames: ["dependency"],
      read: async () => {
        const { checkReadiness } = await import("@/lib/health");
        const { checks } = await checkReadiness();
        const states: Array<[Record<string, string>, number]> = [[{ dependency: "database" }, checks.database === "ok" ? 1 : 0]];
        if (checks.directory !== "not-configured") states.push([{ dependency: "directory" }, checks.directory === "ok" ? 1 : 0]);
        return states;
      },
    });
    const poolUsage = handle.poolUsage;
    if (poolUsage) {
      bridge.addCollectedGauge?.({
        name: "toegang_database_pool_connections",
        help: "PostgreSQL pool: its size, the connections the portal's statements and transactions hold, and the work waiting for one",
        labelNames: ["state"],
        read: async () => {
          const u = poolUsage();
          return [
            [{ state: "size" }, u.size],
            [{ state: "in_use" }, u.inUse],
            [{ state: "waiting" }, u.waiting],
          ] satisfies Array<[Record<string, string>, number]>;
        },
      });
    }
    bridge.checkDependencies = async () => {
      const { checkReadiness } = await import("@/lib/health");
      const { checks } = await checkReadiness();
      return (["database", "directory"] as const).filter((name) => checks[name] === "unreachable");
    };
    if (config.housekeepingIntervalMinutes > 0) {
      const { startHousekeeping } = await import("@/lib/housekeeping");
      startHousekeeping(handle.db, config.housekeepingIntervalMinutes, (line, error) =>
        error ? console.error(line, error) : console.log(line),
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
