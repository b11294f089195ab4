// Child processes of the directory harness: started under a watchdog that ends them when the test run dies, waited
// for on a TCP port, and stopped by their own PID (never by name: other runs on this machine start the same programs).
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import net from "node:net";

/**
 * Runs the program in the background with its output in `logFile`. A small shell watchdog (the returned PID) ends the
 * program when this process goes away without cleaning up (a killed test run), and then removes `runDir`, so no
 * directory and no folder is left behind.
 */
export function startDaemon(command: string, args: string[], logFile: string, runDir: string): ChildProcess {
  const log = openSync(logFile, "a");
  // $1 = the PID to watch (this process), $2 = the folder to remove if it dies; the rest is the command. TERM to the
  // watchdog stops the program (the owner then cleans up itself).
  const watchdog = [
    'owner=$1; folder=$2; shift 2; "$@" & child=$!',
    "trap 'kill -TERM $child 2>/dev/null; wait $child; exit 0' TERM INT",
    "while kill -0 $child 2>/dev/null; do",
    '  if ! kill -0 $owner 2>/dev/null; then kill -TERM $child 2>/dev/null; wait $child; rm -rf "$folder"; exit 0; fi',
    "  sleep 1 & wait $!",
    "done",
    "wait $child",
  ].join("\n");
  const child = spawn("bash", ["-c", watchdog, "watchdog", String(process.pid), runDir, command, ...args], {
    stdio: ["ignore", log, log],
    detached: true,
  });
  closeSync(log);
  child.unref();
  return child;
}

/** Stops a daemon started by startDaemon (TERM, then KILL after `graceMs`) and waits until it has exited. */
export async function stopDaemon(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => {
    // The watchdog leads its own process group (detached): KILL reaches it and the program it started.
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      /* already gone */
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** True when something accepts TCP connections on host:port. */
export function isListening(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Waits until `ready()` says yes; fails with the daemon's log tail when it exits first or `timeoutMs` passes. */
export async function waitUntil(what: string, child: ChildProcess, ready: () => Promise<boolean>, timeoutMs: number, log: () => string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited before it was ready (exit ${child.exitCode ?? child.signalCode}):\n${log()}`);
    }
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`${what} was not ready after ${timeoutMs} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The ports the harness may use (TOEGANG_DIRECTORY_PORTS, default 3400–3499: this work's range on the shared machine). */
export function portRange(): [number, number] {
  const [low, high] = (process.env.TOEGANG_DIRECTORY_PORTS ?? "3400-3499").split("-").map(Number);
  if (!low || !high || low > high)
    throw new Error(`TOEGANG_DIRECTORY_PORTS must look like 3400-3499, not ${process.env.TOEGANG_DIRECTORY_PORTS}`);
  return [low, high];
}

/** `count` ports of the range nobody listens on at `host` now, from a random starting point (parallel test files). */
export async function freePortsInRange(host: string, count: number): Promise<number[]> {
  const [low, high] = portRange();
  const size = high - low + 1;
  const start = Math.floor(Math.random() * size);
  const found: number[] = [];
  for (let i = 0; i < size && found.length < count; i++) {
    const port = low + ((start + i) % size);
    if (await canListen(host, port)) found.push(port);
  }
  if (found.length < count) throw new Error(`fewer than ${count} free ports in ${low}–${high} on ${host} (set TOEGANG_DIRECTORY_PORTS)`);
  return found;
}

/** Makes `server` listen on a free port of the range (trying the next when another process took one first). */
export async function listenInRange(server: net.Server, host: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const [port] = await freePortsInRange(host, 1);
    const ok = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(port, host, () => resolve(true));
    });
    if (ok) return port!;
  }
  throw new Error(`no port of the range stayed free long enough on ${host}`);
}

/** Whether this process may bind `port` on `host` now (privileged ports need root). */
export function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
