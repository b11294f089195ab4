// LDAP search filters from typed input: RFC 4515 escaping of the user ID, the configured LDAP_USER_FILTER template
// with `{id}` filled in, and the checks that template must pass at start.
import { AndFilter, EqualityFilter, FilterParser, NotFilter, type Filter } from "ldapts";

/** The placeholder LDAP_USER_FILTER uses for the typed user ID. */
export const ID_PLACEHOLDER = "{id}";

export const DEFAULT_USER_FILTER = {
  ad: "(|(userPrincipalName={id})(mail={id})(sAMAccountName={id}))",
  ldap: "(|(mail={id})(uid={id}))",
} as const;

/**
 * RFC 4515 §3: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`, `\5c`, `\00`, so typed text is only ever an
 * assertion value (no wildcard, no extra filter). Other characters, UTF-8 included, are valid as they are.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** The configured filter with every `{id}` replaced by the escaped typed ID, parsed. */
export function userFilter(template: string, typedId: string): Filter {
  return FilterParser.parseString(template.split(ID_PLACEHOLDER).join(escapeFilterValue(typedId)));
}

/** Why a LDAP_USER_FILTER template cannot be used, or null when it is fine. */
export function userFilterProblem(template: string): string | null {
  if (!template.includes(ID_PLACEHOLDER)) return `must contain ${ID_PLACEHOLDER} where the typed user ID goes`;
  if (!template.startsWith("(") || !template.endsWith(")")) return "must be one filter in parentheses, such as (mail={id})";
  if (!balanced(template)) return "is not a valid LDAP filter (its parentheses do not match)";
  try {
    FilterParser.parseString(template.split(ID_PLACEHOLDER).join("x"));
  } catch (error) {
    return `is not a valid LDAP filter (${error instanceof Error ? error.message : String(error)})`;
  }
  // A wildcard right next to {id} would make the typed ID a substring search: a prefix finds someone else's account.
  if (/\*\{id\}|\{id\}\*/.test(template)) return "must not put * next to {id} (the typed ID must match exactly)";
  return null;
}

/** One group of parentheses around the whole filter, every inner one closed (the parser is lenient about this). */
function balanced(template: string): boolean {
  let depth = 0;
  const chars = [...template];
  for (const [i, c] of chars.entries()) {
    if (c === "(") depth++;
    else if (c === ")") depth--;
    if (depth < 0 || (depth === 0 && i < chars.length - 1)) return false;
  }
  return depth === 0;
}

/** Both filters at once. */
export function and(...filters: Filter[]): Filter {
  return new AndFilter({ filters });
}

export function not(filter: Filter): Filter {
  return new NotFilter({ filter });
}

/** attribute = value, for values that are bytes (objectGUID) or exact strings (entryUUID, member DNs). */
export function equals(attribute: string, value: string | Buffer): Filter {
  return new EqualityFilter({ attribute, value });
}
