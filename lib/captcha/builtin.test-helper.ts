// Test-only: reads a built-in challenge's answer out of its sealed token, the way only the server can.
import { unsealData } from "iron-session";
import { sessionPasswords } from "@/lib/auth/session";
import { CHALLENGE_TTL_SECONDS, newChallenge } from "./builtin";

export async function answerOf(token: string): Promise<string> {
  const data = await unsealData<{ a: string }>(token, { password: sessionPasswords(), ttl: CHALLENGE_TTL_SECONDS });
  return data.a;
}

/** A fresh challenge and its answer, as a user who read the picture would type it. */
export async function solvedChallenge(): Promise<{ token: string; answer: string }> {
  const token = await newChallenge();
  return { token, answer: await answerOf(token) };
}
