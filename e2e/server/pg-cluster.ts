// A throwaway PostgreSQL cluster of the spec's own, which it may stop and start (never the shared server): initdb in a
// temporary folder, listening on 127.0.0.1 at a free port from E2E_PG_PORT_FIRST (54400 unless set) onwards, removed
// by destroy() — the specs call it in `finally`, so a failing test leaves no server running. PostgreSQL refuses to run as
// root, so as root the commands run as the postgres user (runuser). The port stays reserved (a lock file naming the
// process) until destroy(), so another spec's cluster, in another worker, never takes it while this one is stopped.
import { execFile } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

function binDir(): string {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  for (const version of ["17", "16", "15", "14"]) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(path.join(dir, "initdb"))) return dir;
  }
  throw new Error("no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin; set PG_BIN_DIR");
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

const reservation = (port: number) => path.join(os.tmpdir(), `toegang-pg-port-${port}.lock`);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Reserves the port for this process; a reservation left by a process that is gone is taken over. */
function reserve(port: number): boolean {
  const file = reservation(port);
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx" });
      return true;
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(file, "utf8").trim());
      } catch {
        // Released meanwhile: try again.
      }
      if (owner && alive(owner)) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

export type Cluster = {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication, loopback only). */
  url: string;
  port: number;
  start(): Promise<void>;
  /**
   * pg_ctl stop -m fast: every connection is ended, as a database restart or a failover would. `immediate`: the server
   * quits at once without a checkpoint, as a crash or a pulled plug would (the next start recovers from the WAL).
   */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** Stops the cluster if it runs and removes its folder. */
  destroy(): Promise<void>;
};

export async function throwawayCluster(): Promise<Cluster> {
  const bin = binDir();
  const root = os.userInfo().uid === 0;
  const as = (command: string, args: string[]) =>
    root ? run("runuser", ["-u", "postgres", "--", path.join(bin, command), ...args]) : run(path.join(bin, command), args);
  const dir = mkdtempSync(path.join(os.tmpdir(), "toegang-pg-"));
  const data = path.join(dir, "data");
  const sockets = path.join(dir, "sockets");
  mkdirSync(sockets);
  if (root) {
    const { uid, gid } = await ids();
    chmodSync(dir, 0o755);
    chownSync(dir, uid, gid);
    chownSync(sockets, uid, gid);
  }
  const first = Number(process.env.E2E_PG_PORT_FIRST ?? 54_400);
  let port = 0;
  for (let p = first; p < first + 100; p++) {
    if ((await portFree(p)) && reserve(p)) {
      port = p;
      break;
    }
  }
  if (!port) throw new Error(`no free port for the throwaway cluster from ${first}`);
  let running = false;
  const cluster: Cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await as("pg_ctl", [
        "-D",
        data,
        "-l",
        path.join(dir, "server.log"),
        "-w",
        "-o",
        `-p ${port} -k ${sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
        "start",
      ]);
      running = true;
    },
    async stop(mode = "fast") {
      await as("pg_ctl", ["-D", data, "-m", mode, "-w", "stop"]);
      running = false;
    },
    async destroy() {
      try {
        if (running || existsSync(path.join(data, "postmaster.pid"))) await cluster.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
        rmSync(reservation(port), { force: true });
      }
    },
  };
  try {
    await as("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]);
    await cluster.start();
  } catch (error) {
    await cluster.destroy().catch(() => {});
    throw error;
  }
  return cluster;
}

async function ids(): Promise<{ uid: number; gid: number }> {
  const { stdout: uid } = await run("id", ["-u", "postgres"]);
  const { stdout: gid } = await run("id", ["-g", "postgres"]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
