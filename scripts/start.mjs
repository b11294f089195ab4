// `npm start`: `next start`, then one request to the portal as soon as it listens. In production Next prepares the
// server (and so runs instrumentation.ts: configuration check, migrations, demo users, the start message) only when the
// first request arrives; this makes it happen at start, so a wrong setting stops the start and the demo users are
// printed at once. Signals go to Next; its exit code is ours. NEXT_BIN (tests) replaces Next's own CLI.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const portArg = args.findIndex((a) => a === "-p" || a === "--port");
const port = portArg >= 0 ? args[portArg + 1] : (process.env.PORT ?? "3000");
const bin = process.env.NEXT_BIN ?? require.resolve("next/dist/bin/next");

const next = spawn(process.execPath, [bin, "start", ...args], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => next.kill(signal));
next.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

const deadline = Date.now() + 120_000;
async function warmUp() {
  while (Date.now() < deadline && next.exitCode === null) {
    try {
      // Any answer will do: the request only makes Next prepare itself.
      await fetch(`http://127.0.0.1:${port}/`, { redirect: "manual", signal: AbortSignal.timeout(60_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
void warmUp();
