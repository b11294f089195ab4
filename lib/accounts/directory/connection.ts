// Connections to the directory: TLS always (LDAPS, or StartTLS before anything else on ldap://, so no bind ever goes
// out in the clear), the configured URLs tried in order (failover), a pool of reused connections, and one deadline per
// request that bounds every wait on the directory — connecting, TLS, binding, searching, waiting for a free connection.
import "server-only";
import net from "node:net";
import tls from "node:tls";
import { Client, type Change, type Control, type Filter, type SearchResult } from "ldapts";
import { AccountStoreUnavailable } from "../types";
import { diagnostic, isConnectionFailure, resultCode, RESULT } from "./errors";

export type ConnectionSettings = {
  /** ldap:// or ldaps:// URLs, tried in this order. */
  urls: string[];
  bindDn: string;
  bindPassword: string;
  /** PEM CA certificate(s) the server's certificate must chain to; undefined = the system's CAs. */
  ca: Buffer | undefined;
  /** The name the server's certificate must carry when it is not the URL's host. */
  tlsServername: string | undefined;
  timeoutMs: number;
  /** Connections per pool (one pool for the service account, one for binds as users). */
  maxConnections?: number;
};

/** A point in time every directory call of one request must finish by. */
export class Deadline {
  readonly at: number;
  constructor(readonly ms: number) {
    this.at = Date.now() + ms;
  }
  remaining(): number {
    return Math.max(0, this.at - Date.now());
  }
}

/** An open connection, used by one caller at a time. */
export type DirectoryConnection = {
  readonly url: string;
  search(
    base: string,
    options: { scope?: "base" | "sub"; filter: Filter | string; attributes: string[]; sizeLimit?: number; binary?: string[] },
  ): Promise<SearchResult["searchEntries"]>;
  modify(dn: string, changes: Change[], controls?: Control[]): Promise<void>;
  exop(oid: string, value: Buffer, controls?: Control[]): Promise<void>;
  /** Binds as someone else (user pool only). */
  bind(dn: string, password: string, controls?: Control[]): Promise<void>;
};

type Pooled = {
  client: Client;
  url: string;
  sockets: Set<net.Socket>;
  idleSince: number;
  broken: boolean;
  /** Whether a change was sent on it during the current use: then a failure is never retried. */
  changed: boolean;
};

/** Idle connections older than this are closed rather than reused (servers drop idle connections silently). */
const IDLE_MS = 30_000;
/** A URL that failed is tried after the others for this long. */
const FAILED_URL_MS = 30_000;

/** The TLS options for one URL: the CA file, the server name (SNI and the certificate check), TLS 1.2 or newer. */
function tlsOptionsFor(url: URL, settings: ConnectionSettings): tls.ConnectionOptions {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const servername = settings.tlsServername ?? (net.isIP(host) ? undefined : host);
  return { ca: settings.ca, servername, rejectUnauthorized: true, minVersion: "TLSv1.2" };
}

export class ConnectionPool {
  private readonly idle: Pooled[] = [];
  private open = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly failedAt = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly settings: ConnectionSettings,
    /** "service": every connection is bound as the service account; "user": callers bind. */
    private readonly identity: "service" | "user",
  ) {}

  /**
   * Runs `work` on a connection (reused when one is idle) within the deadline. A connection-level failure on a reused
   * connection before any change was sent is retried once on a new one; every other failure is the caller's to read.
   */
  async run<T>(deadline: Deadline, work: (connection: DirectoryConnection) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const { pooled, reused } = await this.acquire(deadline);
      pooled.changed = false;
      try {
        const result = await work(this.facade(pooled, deadline));
        this.release(pooled);
        return result;
      } catch (error) {
        // A dead connection is not reused (the deadline's guard marks a timed-out one itself).
        if (isConnectionFailure(error)) pooled.broken = true;
        this.release(pooled);
        const retry = reused && pooled.broken && !pooled.changed && attempt === 0 && deadline.remaining() > 0;
        if (retry) continue;
        throw this.unavailable(error, pooled.url);
      }
    }
  }

  /** Ends every idle connection; connections in use end when their caller is done. */
  close(): void {
    this.closed = true;
    for (const pooled of this.idle.splice(0)) this.destroy(pooled);
  }

  /**
   * What escapes `work`: an outage, or an LDAP result the caller did not expect (a missing right, a refused control) —
   * both mean the store cannot do this now, so both become AccountStoreUnavailable with the server's words for the log.
   * Anything else is a bug and passes unchanged.
   */
  private unavailable(error: unknown, url: string): unknown {
    if (error instanceof AccountStoreUnavailable) return error;
    if (isConnectionFailure(error)) return new AccountStoreUnavailable(`directory ${url}: ${diagnostic(error)}`, { cause: error });
    const code = resultCode(error);
    if (code !== undefined)
      return new AccountStoreUnavailable(`directory ${url} refused the request: ${diagnostic(error)} (LDAP result ${code})`, {
        cause: error,
      });
    return error;
  }

  private async acquire(deadline: Deadline): Promise<{ pooled: Pooled; reused: boolean }> {
    const max = this.settings.maxConnections ?? 4;
    for (;;) {
      if (this.closed) throw new AccountStoreUnavailable("the directory connection pool is closed");
      let reusable: Pooled | undefined;
      while ((reusable = this.idle.pop())) {
        if (!reusable.broken && reusable.client.isConnected && Date.now() - reusable.idleSince < IDLE_MS)
          return { pooled: reusable, reused: true };
        this.destroy(reusable);
      }
      if (this.open < max) {
        this.open++;
        try {
          return { pooled: await this.connect(deadline), reused: false };
        } catch (error) {
          this.open--;
          this.wakeOne();
          throw error;
        }
      }
      await this.waitForRelease(deadline);
    }
  }

  private waitForRelease(deadline: Deadline): Promise<void> {
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(wake);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new AccountStoreUnavailable(`no free directory connection within ${deadline.ms} ms`));
      }, deadline.remaining());
      this.waiting.push(wake);
    });
  }

  private wakeOne() {
    this.waiting.shift()?.();
  }

  private release(pooled: Pooled) {
    if (pooled.broken || this.closed) {
      this.destroy(pooled);
    } else {
      pooled.idleSince = Date.now();
      this.idle.push(pooled);
    }
    this.wakeOne();
  }

  /** Closes the connection's sockets (servers take an abrupt close in their stride; an unbind could wait on a dead one). */
  private destroy(pooled: Pooled, counted = true) {
    if (counted) this.open = Math.max(0, this.open - 1);
    for (const socket of pooled.sockets) socket.destroy();
  }

  /** The URLs in configured order, those that failed lately last. */
  private urlOrder(): string[] {
    const now = Date.now();
    const recentlyFailed = (url: string) => now - (this.failedAt.get(url) ?? -Infinity) < FAILED_URL_MS;
    return [...this.settings.urls.filter((u) => !recentlyFailed(u)), ...this.settings.urls.filter(recentlyFailed)];
  }

  /** Opens a connection to the first URL that answers, sharing the remaining time fairly between the URLs left. */
  private async connect(deadline: Deadline): Promise<Pooled> {
    const order = this.urlOrder();
    const failures: string[] = [];
    for (const [i, url] of order.entries()) {
      const budget = new Deadline(Math.floor(deadline.remaining() / (order.length - i)));
      if (budget.ms <= 0) break;
      const pooled = this.newConnection(url);
      try {
        await this.guard(pooled, budget, this.handshake(pooled));
        this.failedAt.delete(url);
        return pooled;
      } catch (error) {
        this.destroy(pooled, false);
        if (!isConnectionFailure(error) && !(error instanceof AccountStoreUnavailable)) throw this.serviceBindProblem(error, url);
        this.failedAt.set(url, Date.now());
        failures.push(`${url}: ${diagnostic(error)}`);
      }
    }
    throw new AccountStoreUnavailable(`no directory server answered within ${deadline.ms} ms (${failures.join("; ") || "no time left"})`);
  }

  private newConnection(url: string): Pooled {
    const parsed = new URL(url);
    const tlsOptions = tlsOptionsFor(parsed, this.settings);
    const sockets = new Set<net.Socket>();
    const track = <S extends net.Socket>(socket: S): S => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      return socket;
    };
    const client = new Client({
      url,
      // Only for ldaps:// (ldapts would otherwise start TLS at once on ldap:// too); StartTLS gets its options below.
      tlsOptions: parsed.protocol === "ldaps:" ? tlsOptions : undefined,
      createConnection: ((...args: Parameters<typeof net.connect>) => track(net.connect(...args))) as typeof net.connect,
      createSecureConnection: ((...args: Parameters<typeof tls.connect>) => track(tls.connect(...args))) as typeof tls.connect,
    });
    return { client, url, sockets, idleSince: Date.now(), broken: false, changed: false };
  }

  /** TLS first (StartTLS on ldap://: if the server cannot, nothing else is sent), then the service bind. */
  private async handshake(pooled: Pooled): Promise<void> {
    const parsed = new URL(pooled.url);
    if (parsed.protocol === "ldaps:" && this.identity === "user") {
      // ldapts connects on the first operation; the user pool's is a bind, so connect now (failover needs to know):
      // any LDAP answer to a read of the root DSE proves the connection and its TLS.
      await pooled.client.search("", { scope: "base", attributes: ["1.1"] }).catch((error: unknown) => {
        if (resultCode(error) === undefined) throw error;
      });
    }
    if (parsed.protocol === "ldap:") {
      try {
        await pooled.client.startTLS(tlsOptionsFor(parsed, this.settings));
      } catch (error) {
        // A refused StartTLS is an LDAP result, but the connection is useless: treat it like an unreachable server.
        throw new AccountStoreUnavailable(`directory ${pooled.url}: StartTLS failed, so no password is sent (${diagnostic(error)})`, {
          cause: error,
        });
      }
    }
    if (this.identity === "service") await pooled.client.bind(this.settings.bindDn, this.settings.bindPassword);
  }

  /** The service account's bind was refused: a configuration problem the operator must see, not a user's failure. */
  private serviceBindProblem(error: unknown, url: string): unknown {
    if (resultCode(error) === RESULT.invalidCredentials) {
      return new AccountStoreUnavailable(`directory ${url}: the service account (LDAP_BIND_DN) cannot bind: invalid credentials`, {
        cause: error,
      });
    }
    return new AccountStoreUnavailable(`directory ${url}: the service account (LDAP_BIND_DN) cannot bind: ${diagnostic(error)}`, {
      cause: error,
    });
  }

  /** Waits for `operation` until the deadline; then the connection is torn down and the request fails as unavailable. */
  private async guard<T>(pooled: Pooled, deadline: Deadline, operation: Promise<T>): Promise<T> {
    operation.catch(() => {}); // it may still reject after the deadline won
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        pooled.broken = true;
        for (const socket of pooled.sockets) socket.destroy();
        reject(new AccountStoreUnavailable(`directory ${pooled.url}: no answer within ${deadline.ms} ms`));
      }, deadline.remaining());
    });
    try {
      return await Promise.race([operation, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private facade(pooled: Pooled, deadline: Deadline): DirectoryConnection {
    const { client } = pooled;
    return {
      url: pooled.url,
      search: async (base, options) => {
        const result = await this.guard(
          pooled,
          deadline,
          client.search(base, {
            scope: options.scope ?? "sub",
            filter: options.filter,
            attributes: options.attributes,
            sizeLimit: options.sizeLimit,
            explicitBufferAttributes: options.binary,
            timeLimit: Math.ceil(deadline.ms / 1000),
          }),
        );
        return result.searchEntries;
      },
      modify: async (dn, changes, controls) => {
        pooled.changed = true;
        await this.guard(pooled, deadline, client.modify(dn, changes, controls));
      },
      exop: async (oid, value, controls) => {
        pooled.changed = true;
        await this.guard(pooled, deadline, client.exop(oid, value, controls));
      },
      bind: async (dn, password, controls) => {
        if (this.identity !== "user") throw new Error("binds as users need the user pool");
        // An empty password is an "unauthenticated bind", which many servers accept as anonymous: never send one.
        if (!password) throw new Error("refusing to bind with an empty password");
        await this.guard(pooled, deadline, client.bind(dn, password, controls));
      },
    };
  }
}
