// The build's embedded-database template: copied into a fresh data folder only when it was made from these very
// migrations and this PGlite, never over a folder that holds anything, and never left half-copied.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { copyTemplate, stampTemplate, templateFolder } from "./pglite-template";

let root: string;
let migrations: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "toegang-template-"));
  vi.spyOn(process, "cwd").mockReturnValue(root);
  mkdirSync(path.join(root, "node_modules", "@electric-sql", "pglite"), { recursive: true });
  writeFileSync(path.join(root, "node_modules", "@electric-sql", "pglite", "package.json"), JSON.stringify({ version: "0.5.16" }));
  migrations = path.join(root, "drizzle");
  mkdirSync(path.join(migrations, "meta"), { recursive: true });
  writeFileSync(path.join(migrations, "meta", "_journal.json"), JSON.stringify({ entries: [{ tag: "0000_first" }] }));
  writeFileSync(path.join(migrations, "0000_first.sql"), "create table a (id int);");
  mkdirSync(path.join(templateFolder(), "base"), { recursive: true });
  writeFileSync(path.join(templateFolder(), "PG_VERSION"), "18\n");
  writeFileSync(path.join(templateFolder(), "base", "1"), "data");
  stampTemplate(migrations);
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

describe("the embedded database's template", () => {
  it("is copied whole into a fresh folder, with nothing left beside it", async () => {
    const dir = path.join(root, "data", "pglite");
    mkdirSync(path.dirname(dir));
    expect(await copyTemplate(migrations, dir)).toBe(true);
    expect(readFileSync(path.join(dir, "PG_VERSION"), "utf8")).toBe("18\n");
    expect(readFileSync(path.join(dir, "base", "1"), "utf8")).toBe("data");
    expect(readdirSync(path.dirname(dir))).toEqual(["pglite"]);
  });

  it("is copied into an empty folder too, but never over one that holds anything", async () => {
    const empty = path.join(root, "empty");
    mkdirSync(empty);
    expect(await copyTemplate(migrations, empty)).toBe(true);
    const used = path.join(root, "used");
    mkdirSync(used);
    writeFileSync(path.join(used, "postgresql.conf"), "mine");
    expect(await copyTemplate(migrations, used)).toBe(false);
    expect(readdirSync(used)).toEqual(["postgresql.conf"]);
  });

  it("is not used after a migration was added or changed, or with another PGlite, or when it is missing", async () => {
    writeFileSync(path.join(migrations, "0000_first.sql"), "create table a (id bigint);");
    expect(await copyTemplate(migrations, path.join(root, "a"))).toBe(false);
    stampTemplate(migrations);
    writeFileSync(path.join(root, "node_modules", "@electric-sql", "pglite", "package.json"), JSON.stringify({ version: "0.6.0" }));
    expect(await copyTemplate(migrations, path.join(root, "b"))).toBe(false);
    stampTemplate(migrations);
    rmSync(templateFolder(), { recursive: true });
    expect(await copyTemplate(migrations, path.join(root, "c"))).toBe(false);
    expect(["a", "b", "c"].some((d) => existsSync(path.join(root, d)))).toBe(false);
  });
});
