// Each page sends the browser only the catalogue parts its client components read (app/_components/client-messages.ts).
// This reads every client component's translators and their literal keys, and fails when a key falls outside the list
// the component is rendered under — the user would see a key path instead of text. (The language switch and the identify
// form take their texts translated, as props, and read no catalogue: they are not in this list.)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { clientMessages } from "@/app/_components/client-messages";
import { pickMessages } from "@/lib/i18n/client-messages";
import nl from "@/messages/nl.json";

type ListName = keyof typeof clientMessages;

/** Client component → the lists it renders under, with the namespace its `useTranslations(namespace)` prop takes there. */
const components: { file: string; lists: { list: ListName; namespaceProp?: string }[] }[] = [
  {
    file: "app/_components/sign-in-form.tsx",
    lists: [
      { list: "signInForm", namespaceProp: "SignInPage" },
      { list: "adminSignInForm", namespaceProp: "Admin.signIn" },
    ],
  },
  { file: "app/_components/admin/admin-code-form.tsx", lists: [{ list: "adminCodeForm" }] },
  { file: "app/_components/admin/helpdesk-form.tsx", lists: [{ list: "helpdeskForm" }] },
  { file: "app/_components/recovery/reason-form.tsx", lists: [{ list: "reasonForm" }] },
  { file: "app/_components/recovery/verify-form.tsx", lists: [{ list: "verifyForm" }] },
  { file: "app/_components/recovery/code-form.tsx", lists: [{ list: "codeForm" }] },
  { file: "app/_components/recovery/password-form.tsx", lists: [{ list: "passwordForm" }] },
  { file: "app/_components/recovery-details/mobile-change-form.tsx", lists: [{ list: "mobileChangeForm" }] },
  { file: "app/_components/recovery-details/mobile-code-form.tsx", lists: [{ list: "mobileCodeForm" }] },
];

const covered = (key: string, list: readonly string[]) => list.some((p) => key === p || key.startsWith(`${p}.`));
const exists = (key: string) => key.split(".").reduce<unknown>((t, k) => (t as Record<string, unknown> | undefined)?.[k], nl) !== undefined;

describe("client messages", () => {
  it("covers every client component that translates", () => {
    const files = execFileSync("grep", ["-rl", "--include=*.tsx", "useTranslations", "app"], { encoding: "utf8" }).trim().split("\n");
    const clientFiles = files.filter((f) => readFileSync(f, "utf8").startsWith('"use client"'));
    expect(clientFiles.sort()).toEqual(components.map((c) => c.file).sort());
  });

  for (const { file, lists } of components) {
    for (const { list, namespaceProp } of lists) {
      it(`${path.basename(file)} reads only what ${list} sends`, () => {
        const source = readFileSync(file, "utf8");
        const translators = new Map<string, string>();
        for (const m of source.matchAll(/const (\w+) = useTranslations\(([^)]*)\)/g)) {
          const arg = m[2]!.trim();
          translators.set(m[1]!, arg === "" ? "" : arg.startsWith('"') ? arg.slice(1, -1) : namespaceProp!);
        }
        expect(translators.size).toBeGreaterThan(0);
        const paths = clientMessages[list] as readonly string[];
        for (const [name, ns] of translators) {
          const literal = [...source.matchAll(new RegExp(`\\b${name}\\("([^"]+)"`, "g"))].map((m) => (ns ? `${ns}.${m[1]}` : m[1]!));
          for (const key of literal) {
            expect(exists(key), `${key} is in the catalogue`).toBe(true);
            expect(covered(key, paths), `${file}: ${key} is sent by ${list}`).toBe(true);
          }
          // A key chosen at run time (an action's error key) must come from a subtree the list sends whole.
          if (new RegExp(`\\b${name}\\((?!")`).test(source)) {
            expect(
              paths.some((p) => ns === "" || p === ns || p.startsWith(`${ns}.`) || ns.startsWith(`${p}.`)),
              `${file}: ${name}(…)`,
            ).toBe(true);
          }
        }
      });
    }
  }

  it("picks subtrees in the catalogue's own shape", () => {
    const picked = pickMessages(nl as never, ["Recovery.next", "Common.errorSummaryTitle"]);
    expect(picked).toEqual({ Recovery: { next: nl.Recovery.next }, Common: { errorSummaryTitle: nl.Common.errorSummaryTitle } });
    expect(() => pickMessages(nl as never, ["Recovery.nope"])).toThrow(/Recovery.nope/);
  });

  it("sends the sign-in page a small part of the catalogue", () => {
    const size = (l: readonly string[]) => JSON.stringify(pickMessages(nl as never, l)).length;
    expect(size(clientMessages.signInForm)).toBeLessThan(JSON.stringify(nl).length / 10);
  });
});
