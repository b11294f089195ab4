// Argon2id hashing through @node-rs/argon2, which runs on libuv's thread pool (off the main thread).
import "server-only";
import { hash, verify } from "@node-rs/argon2";

// Algorithm.Argon2id; the enum is const and cannot be imported under isolatedModules.
const ARGON2ID = 2;
import { getConfig } from "@/lib/config";

export async function hashPassword(password: string): Promise<string> {
  const { memoryCost, timeCost, parallelism } = getConfig().argon2;
  return hash(password.normalize("NFKC"), { algorithm: ARGON2ID, memoryCost, timeCost, parallelism });
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password.normalize("NFKC"));
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/** Spends the same time as a real verify, for user IDs without an account. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword("toegang-dummy-password-for-timing");
  await verifyPassword(await dummy, password);
  return false;
}
