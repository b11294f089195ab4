// Message keys as types, from the catalogue (messages/nl.json; tests/messages.test.ts keeps en.json in step): lib code
// and action states name only keys that exist, so a wrong key fails tsc instead of showing a key path to the user.
import type messages from "@/messages/nl.json";

type Catalogue = typeof messages;

/** The dotted paths of a message tree's texts. */
type Leaves<T, Prefix extends string = ""> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

/** The subtree at a dotted path ("Recovery.identify"). */
type At<T, Path extends string> = Path extends `${infer Head}.${infer Rest}`
  ? Head extends keyof T
    ? At<T[Head], Rest>
    : never
  : Path extends keyof T
    ? T[Path]
    : never;

/** The keys of a namespace, as its translator takes them: MessageKey<"Recovery.code"> = "errors.wrong-code" | "resent" | … */
export type MessageKey<Namespace extends string> = Leaves<At<Catalogue, Namespace>>;

/** Full keys below a path, for the root translator: FullKey<"SignInPage.errors"> = "SignInPage.errors.invalid" | … */
export type FullKey<Path extends string> = `${Path}.${Leaves<At<Catalogue, Path>>}`;

/** Every dotted path to a subtree or a text ("Recovery", "Recovery.identify", "Common.errorSummaryTitle"). */
type Paths<T, Prefix extends string = ""> = {
  [K in keyof T & string]: `${Prefix}${K}` | (T[K] extends string ? never : Paths<T[K], `${Prefix}${K}.`>);
}[keyof T & string];

/** A part of the catalogue a client component reads: a namespace, a sub-namespace or one text. */
export type MessagePath = Paths<Catalogue>;
