// Test-only: reads a built-in challenge's answer out of its sealed token, the way only the server can.
import { openToken } from "@/lib/security/sealed-token";
import { newChallenge } from "./builtin";

export async function answerOf(token: string): Promise<string> {
  const opened = openToken("captcha-challenge", token);
  if (!opened) throw new Error("not a CAPTCHA challenge token");
  return opened.plain.subarray(6).toString("utf8");
}

/** A fresh challenge and its answer, as a user who read the picture would type it. */
export async function solvedChallenge(): Promise<{ token: string; answer: string }> {
  const token = await newChallenge();
  return { token, answer: await answerOf(token) };
}
