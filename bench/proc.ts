// What the benchmarks read of this machine's processes (Linux /proc): the load, a process tree, CPU and memory.
import { readFileSync, readdirSync } from "node:fs";
import { canListen } from "@/tests/directories/processes";

/** The load average over 1, 5 and 15 minutes, as /proc/loadavg gives it. */
export function loadavg(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

/** The pid and every descendant (next start may run workers). */
export function tree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* gone */
    }
  }
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...(children.get(all[i]!) ?? []));
  return all;
}

/** user + system CPU of the processes, ms (USER_HZ 100); a process that is gone counts 0. */
export function cpuMsOf(pids: number[]): number {
  let ticks = 0;
  for (const p of pids) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  return ticks * 10;
}

/** Resident memory of the process tree, MiB. */
export function rssMiB(pid: number): number {
  let kb = 0;
  for (const p of tree(pid)) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return kb / 1024;
}

/**
 * What `npm start` runs after `node`, from package.json's start script (its V8 flags, then server/main.mjs), so the
 * benchmarks measure the portal as operators start it.
 */
export function npmStartArgs(root: string): string[] {
  const script = (JSON.parse(readFileSync(`${root}/package.json`, "utf8")) as { scripts: { start: string } }).scripts.start;
  const [command, ...args] = script.trim().split(/\s+/);
  if (command !== "node" || args.at(-1) !== "server/main.mjs") throw new Error(`unexpected start script: ${script}`);
  return args.map((a) => (a === "server/main.mjs" ? `${root}/server/main.mjs` : a));
}

/**
 * The first port from `from` on that a server can listen on now on every address (IPv6 and IPv4, as the portal and
 * `next start` listen). Checked, not assumed: a port of the machine's ephemeral range may be the local end of some
 * outgoing connection.
 */
export async function freePort(from: number): Promise<number> {
  for (let port = from; port < from + 200 && port < 65536; port++) if (await canListen("::", port)) return port;
  throw new Error(`no free port in ${from}..${from + 199}`);
}
