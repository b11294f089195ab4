// RFC 4515 escaping and the LDAP_USER_FILTER template: typed text is only ever one exact assertion value.
import { AndFilter, EqualityFilter, OrFilter } from "ldapts";
import { describe, expect, it } from "vitest";
import { DEFAULT_USER_FILTER, escapeFilterValue, userFilter, userFilterProblem } from "./filter";

describe("escapeFilterValue", () => {
  it("escapes exactly the five characters RFC 4515 reserves", () => {
    expect(escapeFilterValue("*")).toBe("\\2a");
    expect(escapeFilterValue("(")).toBe("\\28");
    expect(escapeFilterValue(")")).toBe("\\29");
    expect(escapeFilterValue("\\")).toBe("\\5c");
    expect(escapeFilterValue("\0")).toBe("\\00");
    expect(escapeFilterValue("*)(uid=*))(|(uid=*")).toBe("\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a");
  });

  it("leaves everything else as typed, accents and other scripts included", () => {
    expect(escapeFilterValue("jan.de.vries+test@flynth.nl")).toBe("jan.de.vries+test@flynth.nl");
    expect(escapeFilterValue("zoë.çelik@flynth.nl")).toBe("zoë.çelik@flynth.nl");
  });
});

describe("userFilter", () => {
  const values = (filter: unknown): string[] => {
    if (filter instanceof EqualityFilter) return [String(filter.value)];
    if (filter instanceof OrFilter || filter instanceof AndFilter) return filter.filters.flatMap(values);
    throw new Error(`not an equality filter: ${String(filter)}`);
  };

  it("puts the typed ID into every {id} as one exact value, whatever it contains", () => {
    for (const typed of ["*", "a*b", "*)(objectClass=*", "jan)(|(mail=*", "\\00", "x\0y", "jan@flynth.nl"]) {
      const filter = userFilter(DEFAULT_USER_FILTER.ad, typed);
      // Still the configured shape: one OR of three equality matches (no presence, substring or extra filter).
      expect(filter).toBeInstanceOf(OrFilter);
      expect(values(filter)).toEqual([typed, typed, typed]);
    }
  });
});

describe("userFilterProblem", () => {
  it("accepts the defaults and ordinary filters", () => {
    expect(userFilterProblem(DEFAULT_USER_FILTER.ad)).toBeNull();
    expect(userFilterProblem(DEFAULT_USER_FILTER.ldap)).toBeNull();
    expect(userFilterProblem("(&(objectClass=person)(|(mail={id})(employeeNumber={id})))")).toBeNull();
  });

  it("names what is wrong", () => {
    expect(userFilterProblem("(mail=jan@flynth.nl)")).toMatch(/must contain \{id\}/);
    expect(userFilterProblem("mail={id}")).toMatch(/one filter in parentheses/);
    expect(userFilterProblem("(mail={id}))(uid={id})")).toMatch(/parentheses do not match/);
    expect(userFilterProblem("(|(mail={id})(uid={id})")).toMatch(/parentheses do not match/);
    expect(userFilterProblem("(mail=*{id})")).toMatch(/must not put \*/);
    expect(userFilterProblem("(mail~{id})")).toMatch(/not a valid LDAP filter/);
  });
});
