// Runs once when the server starts: checks the configuration, migrates the database, seeds and prints demo users.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const { startPortal } = await import("./lib/startup");
  await startPortal();
}
