// Reading directory entries: attribute values as text, bytes and dates (AD FILETIME, LDAP GeneralizedTime), GUIDs,
// and the registered mobile number normalised to E.164.
import { parsePhone } from "@/lib/users/normalize";

export type Entry = Record<string, string | string[] | Buffer | Buffer[]>;

/** The first value of an attribute as text, or null when it is absent or empty. */
export function text(entry: Entry, name: string): string | null {
  const value = lookup(entry, name);
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return null;
  const s = Buffer.isBuffer(first) ? first.toString("utf8") : first;
  return s === "" ? null : s;
}

/** Every value of an attribute as text. */
export function texts(entry: Entry, name: string): string[] {
  const value = lookup(entry, name);
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((v) => (Buffer.isBuffer(v) ? v.toString("utf8") : v));
}

/** The first value of an attribute requested as binary. */
export function bytes(entry: Entry, name: string): Buffer | null {
  const value = lookup(entry, name);
  const first = Array.isArray(value) ? value[0] : value;
  return Buffer.isBuffer(first) && first.length > 0 ? first : null;
}

/** Attribute names are case-insensitive; servers answer in their own spelling. */
function lookup(entry: Entry, name: string): Entry[string] | undefined {
  if (name in entry) return entry[name];
  const lower = name.toLowerCase();
  const key = Object.keys(entry).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : entry[key];
}

const FILETIME_EPOCH_OFFSET = 116_444_736_000_000_000n; // 100 ns intervals from 1601-01-01 to 1970-01-01
/** AD's "never" in FILETIME attributes such as accountExpires. */
export const FILETIME_NEVER = 9_223_372_036_854_775_807n;

/** An AD FILETIME (100 ns since 1601) as a Date; 0 and "never" give null. */
export function fromFiletime(value: string | null): Date | null {
  if (!value || !/^-?\d+$/.test(value)) return null;
  const n = BigInt(value);
  if (n <= 0n || n >= FILETIME_NEVER) return null;
  return new Date(Number((n - FILETIME_EPOCH_OFFSET) / 10_000n));
}

/** An AD interval (negative 100 ns units, as in lockoutDuration) in milliseconds; "forever" and 0 give null. */
export function fromInterval(value: string | null): number | null {
  if (!value || !/^-?\d+$/.test(value)) return null;
  const n = BigInt(value);
  if (n === 0n || n <= -FILETIME_NEVER) return null;
  return Number((n < 0n ? -n : n) / 10_000n);
}

/** An LDAP GeneralizedTime (20261130121948Z, with optional fraction) as a Date. */
export function fromGeneralizedTime(value: string | null): Date | null {
  const m = value ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:[.,](\d+))?Z$/.exec(value) : null;
  if (!m) return null;
  const [, y, mo, d, h, mi, s = "0", frac = "0"] = m;
  const date = new Date(Date.UTC(2000, +mo! - 1, +d!, +h!, +mi!, +s, Math.floor(Number(`0.${frac}`) * 1000)));
  date.setUTCFullYear(+y!); // Date.UTC reads years below 100 as 19xx
  return date;
}

/** AD's objectGUID bytes as the usual text form (the first three groups are little-endian). */
export function guidToString(guid: Buffer): string {
  const hex = (bytes: number[]) => bytes.map((b) => guid[b]!.toString(16).padStart(2, "0")).join("");
  return [hex([3, 2, 1, 0]), hex([5, 4]), hex([7, 6]), hex([8, 9]), hex([10, 11, 12, 13, 14, 15])].join("-");
}

/** The reverse of guidToString. */
export function guidToBuffer(guid: string): Buffer {
  const h = guid.replace(/-/g, "");
  if (!/^[0-9a-f]{32}$/i.test(h)) throw new Error(`not a GUID: ${guid}`);
  const b = (i: number) => parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return Buffer.from([b(3), b(2), b(1), b(0), b(5), b(4), b(7), b(6), ...Array.from({ length: 8 }, (_, i) => b(8 + i))]);
}

/** The registered mobile number in E.164 (06-12345678, +31 6 …, 0031 …), or null when absent or not a valid number. */
export function mobileNumber(raw: string | null): string | null {
  if (!raw) return null;
  const parsed = parsePhone(raw);
  return parsed.ok ? parsed.e164 : null;
}
