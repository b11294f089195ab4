// CSV reading: RFC 4180 quoting and line endings, English and Dutch headers, and problems named by line.
import { describe, expect, it } from "vitest";
import { parseCsv, readUsersCsv } from "./csv";

function records(text: string, delimiter?: string) {
  const r = parseCsv(text, delimiter);
  if (!r.ok) throw new Error(`unexpected problem: ${r.problem.message}`);
  return r.records;
}

describe("parseCsv", () => {
  it("splits plain fields and records, with or without a final newline", () => {
    expect(records("a,b,c\n1,2,3\n")).toEqual([
      { line: 1, fields: ["a", "b", "c"] },
      { line: 2, fields: ["1", "2", "3"] },
    ]);
    expect(records("a,b\n1,2")).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["1", "2"] },
    ]);
  });

  it("accepts CRLF, LF and lone CR line endings", () => {
    expect(records("a,b\r\n1,2\r\n3,4\r5,6\n").map((r) => [r.line, r.fields])).toEqual([
      [1, ["a", "b"]],
      [2, ["1", "2"]],
      [3, ["3", "4"]],
      [4, ["5", "6"]],
    ]);
  });

  it("keeps empty fields, including trailing ones and empty quoted ones", () => {
    expect(records("a,,c,\n")[0]!.fields).toEqual(["a", "", "c", ""]);
    expect(records('x,"",z\n')[0]!.fields).toEqual(["x", "", "z"]);
  });

  it("reads quoted fields with embedded commas, doubled quotes and newlines", () => {
    const rows = records('name,note\n"Jansen, Jan","zei ""hoi"""\n"multi\r\nline",x\nlast,row\n');
    expect(rows[1]).toEqual({ line: 2, fields: ["Jansen, Jan", 'zei "hoi"'] });
    expect(rows[2]).toEqual({ line: 3, fields: ["multi\r\nline", "x"] });
    // The record after a two-line field starts on physical line 5.
    expect(rows[3]).toEqual({ line: 5, fields: ["last", "row"] });
  });

  it("strips a UTF-8 byte order mark and keeps non-ASCII text", () => {
    expect(records("\uFEFFemail,achternaam\nx@y.nl,Çelik\n")).toEqual([
      { line: 1, fields: ["email", "achternaam"] },
      { line: 2, fields: ["x@y.nl", "Çelik"] },
    ]);
  });

  it("skips blank lines and rows of empty fields but keeps counting lines", () => {
    expect(records("a,b\n\n,\n1,2\n\n").map((r) => r.line)).toEqual([1, 4]);
  });

  it("reports an unclosed quote at the line where it opened", () => {
    expect(parseCsv('a,b\n1,2\n"open,3\n4,5\n')).toEqual({
      ok: false,
      problem: { line: 3, message: expect.stringMatching(/never closed/) },
    });
  });

  it("reports a quote inside an unquoted field and text after a closing quote", () => {
    const inside = parseCsv('a,b\nab"c,d\n');
    expect(inside.ok ? null : inside.problem).toEqual({ line: 2, message: expect.stringMatching(/unquoted field/) });
    const after = parseCsv('a,b\n"ab"c,d\n');
    expect(after.ok ? null : after.problem).toEqual({ line: 2, message: expect.stringMatching(/after a closing double quote/) });
  });

  it("uses another delimiter when asked", () => {
    expect(records('a;"b;c"\n', ";")[0]!.fields).toEqual(["a", "b;c"]);
  });
});

describe("readUsersCsv", () => {
  function read(text: string) {
    const r = readUsersCsv(text);
    if (!r.ok) throw new Error(r.problems.map((p) => `${p.line}: ${p.message}`).join("\n"));
    return r.value;
  }

  it("maps English headers to user inputs with their line numbers", () => {
    const csv = read(
      "email,first_name,last_name,mobile,password,admin\njan@x.nl,Jan,Jansen,06-12345678,Geheim123,yes\npiet@x.nl,Piet,Bos,,,0\n",
    );
    expect(csv.rows).toEqual([
      {
        line: 2,
        input: { email: "jan@x.nl", firstName: "Jan", lastName: "Jansen", phone: "06-12345678", password: "Geheim123", isAdmin: true },
      },
      // An empty mobile cell removes the number; an empty password leaves the password alone.
      { line: 3, input: { email: "piet@x.nl", firstName: "Piet", lastName: "Bos", phone: null, isAdmin: false } },
    ]);
  });

  it("accepts Dutch headers in any case and spelling of separators", () => {
    const csv = read("E-mail,VOORNAAM,Achternaam,Mobiel,Wachtwoord,Beheerder\njan@x.nl,Jan,Jansen,0612345678,,nee\n");
    expect(csv.columnNames).toEqual({
      email: "E-mail",
      first_name: "VOORNAAM",
      last_name: "Achternaam",
      mobile: "Mobiel",
      password: "Wachtwoord",
      admin: "Beheerder",
    });
    expect(csv.rows[0]!.input).toEqual({ email: "jan@x.nl", firstName: "Jan", lastName: "Jansen", phone: "0612345678", isAdmin: false });
    expect(read("emailadres,voornaam,achternaam,telefoon\na@x.nl,A,B,06-1\n").columnNames.mobile).toBe("telefoon");
    expect(read("Email Adres,First Name,Last-Name\na@x.nl,A,B\n").rows).toHaveLength(1);
  });

  it("leaves out the fields whose columns are missing, so an update keeps them", () => {
    const input = read("email,first_name,last_name\na@x.nl,A,B\n").rows[0]!.input;
    expect(input).toEqual({ email: "a@x.nl", firstName: "A", lastName: "B" });
    expect("phone" in input || "isAdmin" in input || "password" in input).toBe(false);
  });

  it.each([
    ["true", true],
    ["FALSE", false],
    ["yes", true],
    ["No", false],
    ["1", true],
    ["0", false],
    ["ja", true],
    ["nee", false],
    ["", false],
    [" yes ", true],
  ])("reads admin %j as %s", (value, expected) => {
    expect(read(`email,first_name,last_name,admin\na@x.nl,A,B,${value}\n`).rows[0]!.input.isAdmin).toBe(expected);
  });

  it("reports an unknown admin value as a problem of that row only", () => {
    const csv = read("email,first_name,last_name,beheerder\na@x.nl,A,B,misschien\nb@x.nl,B,C,ja\n");
    expect(csv.problems).toEqual([{ line: 2, field: "admin", message: expect.stringMatching(/"misschien" is not one of/) }]);
    expect(csv.rows.map((r) => r.line)).toEqual([3]);
  });

  it("refuses unknown columns, naming them", () => {
    const r = readUsersCsv("email,first_name,last_name,department\na@x.nl,A,B,IT\n");
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.problems).toEqual([{ line: 1, message: expect.stringMatching(/unknown column "department" \(column 4\)/) }]);
  });

  it("refuses a missing required column and the same column twice", () => {
    const missing = readUsersCsv("email,first_name\na@x.nl,A\n");
    expect(missing.ok ? [] : missing.problems.map((p) => p.message)).toEqual(["the header has no last_name column"]);
    const twice = readUsersCsv("email,e-mail,first_name,last_name\na,b,c,d\n");
    expect(twice.ok ? [] : twice.problems.map((p) => p.message)).toEqual(['columns "email" and "e-mail" are the same column']);
  });

  it("reports every row with the wrong number of fields by its line and keeps the others", () => {
    const csv = read("email,first_name,last_name\na@x.nl,A\nb@x.nl,B,C\nc@x.nl,C,D,E\n");
    expect(csv.problems).toEqual([
      { line: 2, message: "has 2 fields, the header has 3" },
      { line: 4, message: "has 4 fields, the header has 3" },
    ]);
    expect(csv.rows.map((r) => r.line)).toEqual([3]);
  });

  it("refuses an empty file and a file with only a BOM", () => {
    expect(readUsersCsv("").ok).toBe(false);
    expect(readUsersCsv("\uFEFF").ok).toBe(false);
  });

  it("reads semicolon-separated files as saved by spreadsheets in a Dutch locale", () => {
    const csv = read('e-mail;voornaam;achternaam;mobiel\r\njan@x.nl;Jan;"Jansen; de";06-12345678\r\n');
    expect(csv.rows[0]!.input).toEqual({ email: "jan@x.nl", firstName: "Jan", lastName: "Jansen; de", phone: "06-12345678" });
  });

  it("reports the line where a multi-line record starts", () => {
    const csv = read('email,first_name,last_name\n"a@x.nl","Jan\nPeter",B\nbad,row\n');
    expect(csv.problems).toEqual([{ line: 4, message: "has 2 fields, the header has 3" }]);
    expect(csv.rows[0]).toMatchObject({ line: 2, input: { firstName: "Jan\nPeter" } });
  });
});
