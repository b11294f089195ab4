// npm start prepares the server at once: the start message (demo users) comes without anyone opening the portal.
import { spawn } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";

it("makes the lazily preparing server prepare as soon as it listens, without any outside request", async () => {
  const root = path.join(__dirname, "..");
  const port = String(20_000 + Math.floor(Math.random() * 20_000));
  const child = spawn(process.execPath, [path.join(root, "scripts", "start.mjs")], {
    env: { ...process.env, PORT: port, NEXT_BIN: path.join(root, "tests", "fixtures", "lazy-next.mjs") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  try {
    await expect.poll(() => output, { timeout: 10_000 }).toContain("prepared: instrumentation ran");
  } finally {
    child.kill("SIGTERM");
  }
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  expect(code, "npm start passes on the server's exit code").toBe(0);
});
