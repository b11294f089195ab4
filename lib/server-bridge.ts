// What the portal shares with its HTTP server (server/main.mjs), which Next's bundles cannot import: the server puts
// one object on globalThis before the portal loads. Under Vitest or a bare `next start` there is none, and every use
// here degrades to nothing (no hooks run, no metrics kept).
import "server-only";

type Labels = Record<string, string>;
type Counter = { inc(labels?: Labels, value?: number): void };
type GaugeSpec = { name: string; help: string; labelNames?: string[]; read: () => Promise<number | Array<[Labels, number]>> | number };

export type FastRoute = (
  search: string,
  header: (name: string) => string | null,
) => Promise<{ status: number; headers: Record<string, string>; body: Buffer }>;

export type ServerBridge = {
  logger?: {
    info(obj: object, msg?: string): void;
    warn(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
  };
  metrics?: { recoveries: Counter; codes: Counter; limitsHit: Counter; unavailable: Counter };
  addCollectedGauge?: (spec: GaugeSpec) => void;
  listen?: { host: string | null; port: number };
  /** Published by the portal's start (lib/startup.ts) for the server: what it needs of the configuration. */
  portal?: { started: true; metricsToken: string | undefined; smsProvider: string; captchaTestAnswer: boolean };
  /** The dependencies that cannot be reached now ("database", "directory"); the server's 503 page asks. */
  checkDependencies?: () => Promise<string[]>;
  /** The same answer as the server's 503 page uses, cached for 2 s (server/main.mjs): for what any visitor can ask. */
  dependenciesDown?: () => Promise<string[]>;
  /**
   * GET routes the server answers itself, ahead of Next's routing and the proxy, by exact path: the query string (without
   * its "?") and a request header getter in, the whole answer out. Only for routes that need nothing of Next's.
   */
  fastRoutes?: Record<string, FastRoute>;
  /**
   * The embedded database the server began opening before Next loaded (no DATABASE_URL): the portal takes it when it
   * asks for the same folder (lib/db/client.ts).
   */
  embeddedDatabase?: import("@/lib/db/embedded-host.mjs").EmbeddedDatabase;
  /**
   * Set by the server before Next loads: the portal's start calls markDatabaseReady once the database is open and
   * migrated (the server listens, holding requests with a body), and markStarted when it is done (demo users written).
   */
  markDatabaseReady?: () => void;
  markStarted?: () => void;
  /** Run in insertion order after the last request finished on SIGTERM/SIGINT. */
  shutdownHooks: Map<string, () => Promise<void>>;
};

const key = Symbol.for("toegang.server");

export function serverBridge(): ServerBridge {
  const g = globalThis as typeof globalThis & { [key]?: ServerBridge };
  return (g[key] ??= { shutdownHooks: new Map() });
}

/** Registers (or replaces, by name) a step of the graceful shutdown. */
export function onShutdown(name: string, hook: () => Promise<void>): void {
  serverBridge().shutdownHooks.set(name, hook);
}
