// Everything a piece of code writes to the console or to stdout/stderr while it runs, for "never logged" checks.
import { format } from "node:util";

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;

/** Runs fn and returns all it printed (the output is still written through, so failures stay readable). */
export async function captureOutput(fn: () => Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const originals = CONSOLE_METHODS.map((m) => [m, console[m]] as const);
  for (const [m, original] of originals) {
    console[m] = (...args: unknown[]) => {
      chunks.push(format(...args));
      original.apply(console, args);
    };
  }
  const streams = [process.stdout, process.stderr].map((stream) => [stream, stream.write] as const);
  for (const [stream, write] of streams) {
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      return (write as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
  }
  try {
    await fn();
  } finally {
    for (const [m, original] of originals) console[m] = original;
    for (const [stream, write] of streams) stream.write = write;
  }
  return chunks.join("\n");
}
