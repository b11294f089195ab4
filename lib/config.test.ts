// Configuration: defaults, one clear line naming the variable for every bad value, and the embedded session secret.
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it, vi } from "vitest";
import { ConfigError, readAllowedCountries, readConfig } from "./config";

// Lets one test make the secret file look absent at the moment it is checked, as when another process wins the race.
const fsControl = vi.hoisted(() => ({ hideExisting: false }));
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  return { ...real, existsSync: (p: fs.PathLike) => (fsControl.hideExisting ? false : real.existsSync(p)) };
});

const tmpRoot = mkdtempSync(path.join(os.tmpdir(), "toegang-config-"));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => path.join(tmpRoot, `data-${++dirs}`, "nested");

const SECRET = "s".repeat(32);
const HASH_KEY = "h".repeat(32);
const production = { DATABASE_URL: "postgres://toegang@db.internal/toegang", SESSION_SECRET: SECRET, HASH_KEY };

function configError(env: Record<string, string | undefined>): string {
  try {
    readConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected a ConfigError");
}

describe("readConfig", () => {
  it("reads TRUSTED_PROXIES as addresses and ranges (none by default), and refuses the old hop count and an open outbox", () => {
    expect(readConfig({ ...production }).trustedProxies.entries).toEqual([]);
    expect(readConfig({ ...production, TRUSTED_PROXIES: "10.0.0.0/8, ::1" }).trustedProxies.entries).toEqual(["10.0.0.0/8", "::1"]);
    expect(configError({ ...production, TRUSTED_PROXIES: "10.0.0.0/40" })).toMatch(/^Configuration error: TRUSTED_PROXIES "10.0.0.0\/40"/);
    expect(configError({ ...production, TRUSTED_PROXY_HOPS: "2" })).toMatch(/TRUSTED_PROXY_HOPS is replaced by TRUSTED_PROXIES/);
    expect(configError({ ...production, OUTBOX_PAGE: "open" })).toMatch(/OUTBOX_PAGE=open is no longer possible/);
  });

  it("needs no variable at all on the embedded default", () => {
    const dataDir = freshDir();
    const config = readConfig({ DATA_DIR: dataDir });
    expect(config).toMatchObject({
      databaseUrl: undefined,
      dataDir: path.resolve(dataDir),
      baseUrl: "http://localhost:3000",
      orgName: "Flynth",
      orgDomain: "flynth.nl",
      lockout: { threshold: 5, durationMinutes: 30 },
      argon2: { memoryCost: 19_456, timeCost: 2, parallelism: 1 },
      cookieSecure: true,
      seedDemoUsers: true,
    });
    expect(config.sessionSecrets).toHaveLength(1);
  });

  it("opening hours per page language: English by default, the operator's text when only the Dutch one is set", () => {
    expect(readConfig(production).helpdesk.hours).toEqual({ nl: "ma–vr 08:00–17:30", en: "Mon–Fri 08:00–17:30" });
    expect(readConfig({ ...production, HELPDESK_HOURS: "ma–do 09:00–17:00" }).helpdesk.hours).toEqual({
      nl: "ma–do 09:00–17:00",
      en: "ma–do 09:00–17:00",
    });
    expect(
      readConfig({ ...production, HELPDESK_HOURS: "ma–do 09:00–17:00", HELPDESK_HOURS_EN: "Mon–Thu 9 am–5 pm" }).helpdesk.hours,
    ).toEqual({
      nl: "ma–do 09:00–17:00",
      en: "Mon–Thu 9 am–5 pm",
    });
  });

  it("reads production settings, trims a trailing slash, and seeds a real database only when asked", () => {
    const config = readConfig({
      ...production,
      BASE_URL: "https://toegang.example.nl/",
      LOCKOUT_THRESHOLD: "3",
      LOCKOUT_DURATION_MINUTES: "0",
      COOKIE_SECURE: "no",
    });
    expect(config).toMatchObject({
      databaseUrl: production.DATABASE_URL,
      baseUrl: "https://toegang.example.nl",
      lockout: { threshold: 3, durationMinutes: 0 },
      cookieSecure: false,
      seedDemoUsers: false,
    });
    expect(readConfig({ ...production, SEED_DEMO_USERS: "true" }).seedDemoUsers).toBe(true);
    expect(readConfig({ DATA_DIR: freshDir(), SEED_DEMO_USERS: "false" }).seedDemoUsers).toBe(false);
  });

  it("treats empty values as unset", () => {
    expect(readConfig({ ...production, BASE_URL: "", LOCKOUT_THRESHOLD: "" }).lockout.threshold).toBe(5);
  });

  it("accepts several comma-separated session secrets for rotation", () => {
    expect(readConfig({ ...production, SESSION_SECRET: `${SECRET}, ${"t".repeat(40)}` }).sessionSecrets).toEqual([SECRET, "t".repeat(40)]);
  });

  it.each([
    [{ LOCKOUT_THRESHOLD: "abc" }, /^Configuration error: LOCKOUT_THRESHOLD must be a whole number$/],
    [{ LOCKOUT_THRESHOLD: "2.5" }, /^Configuration error: LOCKOUT_THRESHOLD must be a whole number$/],
    [{ LOCKOUT_THRESHOLD: "0" }, /^Configuration error: LOCKOUT_THRESHOLD must be at least 1$/],
    [{ LOCKOUT_DURATION_MINUTES: "-5" }, /^Configuration error: LOCKOUT_DURATION_MINUTES must be at least 0$/],
    [{ ARGON2_MEMORY_KIB: "1024" }, /^Configuration error: ARGON2_MEMORY_KIB must be at least 8192$/],
    [{ BASE_URL: "nope" }, /^Configuration error: BASE_URL must be a full URL/],
    [{ DATABASE_URL: "mysql://db/toegang" }, /^Configuration error: DATABASE_URL must start with postgres:\/\//],
    [{ COOKIE_SECURE: "maybe" }, /^Configuration error: COOKIE_SECURE must be true or false$/],
    [{ HELPDESK_EMAIL: "helpdesk" }, /^Configuration error: HELPDESK_EMAIL must be an e-mail address$/],
    [{ ORG_DOMAIN: "not a domain" }, /^Configuration error: ORG_DOMAIN must be a domain name/],
    [{ SESSION_SECRET: "too-short" }, /^Configuration error: SESSION_SECRET must be at least 32 characters/],
    [{ SESSION_SECRET: `${SECRET},short` }, /^Configuration error: SESSION_SECRET must be at least 32 characters/],
    [{ HASH_KEY: "too-short" }, /^Configuration error: HASH_KEY must be at least 32 characters$/],
    [{ MIGRATION_DATABASE_URL: "mysql://db/toegang" }, /^Configuration error: MIGRATION_DATABASE_URL must start with postgres:\/\//],
  ])("refuses %j with one line naming the variable", (bad, pattern) => {
    expect(configError({ ...production, ...bad })).toMatch(pattern);
  });

  it("requires SESSION_SECRET when DATABASE_URL is set, since every instance must share it", () => {
    expect(configError({ DATABASE_URL: production.DATABASE_URL })).toMatch(
      /^Configuration error: SESSION_SECRET is required when DATABASE_URL is set/,
    );
  });

  it("reads the owner's connection for migrations and pruning, only next to DATABASE_URL", () => {
    expect(readConfig(production).migrationDatabaseUrl).toBeUndefined();
    const owner = "postgres://toegang_owner@db.internal/toegang";
    expect(readConfig({ ...production, MIGRATION_DATABASE_URL: owner }).migrationDatabaseUrl).toBe(owner);
    expect(configError({ DATA_DIR: freshDir(), MIGRATION_DATABASE_URL: owner })).toMatch(
      /^Configuration error: MIGRATION_DATABASE_URL needs DATABASE_URL/,
    );
  });

  it("requires HASH_KEY when DATABASE_URL is set, and keeps it apart from the session secrets", () => {
    expect(configError({ ...production, HASH_KEY: undefined })).toMatch(
      /^Configuration error: HASH_KEY is required when DATABASE_URL is set/,
    );
    const config = readConfig({ ...production, SESSION_SECRET: `${"n".repeat(32)},${SECRET}` });
    expect(config.hashKey).toBe(HASH_KEY);
  });
});

describe("the embedded hash key", () => {
  it("is generated once in DATA_DIR, private to the owner, reused, and not the session secret", () => {
    const dataDir = freshDir();
    const config = readConfig({ DATA_DIR: dataDir });
    const file = path.join(dataDir, "hash-key");
    expect(config.hashKey.length).toBeGreaterThanOrEqual(32);
    expect(config.hashKey).not.toBe(config.sessionSecrets[0]);
    expect(readFileSync(file, "utf8").trim()).toBe(config.hashKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readConfig({ DATA_DIR: dataDir }).hashKey).toBe(config.hashKey);
  });

  it("stays the same when SESSION_SECRET is set, changed or rotated", () => {
    const dataDir = freshDir();
    const key = readConfig({ DATA_DIR: dataDir }).hashKey;
    expect(readConfig({ DATA_DIR: dataDir, SESSION_SECRET: SECRET }).hashKey).toBe(key);
    expect(readConfig({ DATA_DIR: dataDir, SESSION_SECRET: `${"r".repeat(40)},${SECRET}` }).hashKey).toBe(key);
  });

  it("starts as the session secret in a data folder from before it existed, so stored hashes keep matching", () => {
    const dataDir = freshDir();
    const old = "old-embedded-secret-".padEnd(43, "z");
    fs.mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, "session-secret"), `${old}\n`);
    expect(readConfig({ DATA_DIR: dataDir }).hashKey).toBe(old);
    expect(readFileSync(path.join(dataDir, "hash-key"), "utf8").trim()).toBe(old);
    // From then on it is its own file: a new session secret does not move it.
    rmSync(path.join(dataDir, "session-secret"));
    const config = readConfig({ DATA_DIR: dataDir });
    expect(config.sessionSecrets[0]).not.toBe(old);
    expect(config.hashKey).toBe(old);
  });

  it("is HASH_KEY when that is set, and then no file is written", () => {
    const dataDir = freshDir();
    expect(readConfig({ DATA_DIR: dataDir, HASH_KEY }).hashKey).toBe(HASH_KEY);
    expect(fs.existsSync(path.join(dataDir, "hash-key"))).toBe(false);
  });
});

describe("the embedded session secret", () => {
  it("is generated once in DATA_DIR, private to the owner, and reused", () => {
    const dataDir = freshDir();
    const first = readConfig({ DATA_DIR: dataDir }).sessionSecrets[0]!;
    expect(first.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dataDir, "session-secret");
    expect(readFileSync(file, "utf8").trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readConfig({ DATA_DIR: dataDir }).sessionSecrets).toEqual([first]);
    expect(readConfig({ DATA_DIR: freshDir() }).sessionSecrets[0]).not.toBe(first);
  });

  it("is not generated when SESSION_SECRET is set", () => {
    const dataDir = freshDir();
    expect(readConfig({ DATA_DIR: dataDir, SESSION_SECRET: SECRET }).sessionSecrets).toEqual([SECRET]);
    expect(fs.existsSync(path.join(dataDir, "session-secret"))).toBe(false);
  });

  it("uses the other process's secret when that process created the file first", () => {
    const dataDir = freshDir();
    const theirs = "their-secret-".padEnd(43, "x");
    fs.mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, "session-secret"), `${theirs}\n`);
    fsControl.hideExisting = true;
    try {
      expect(readConfig({ DATA_DIR: dataDir }).sessionSecrets).toEqual([theirs]);
    } finally {
      fsControl.hideExisting = false;
    }
  });

  it("waits for a secret that the other process has created but not yet written", async () => {
    const dataDir = freshDir();
    const file = path.join(dataDir, "session-secret");
    fs.mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, "");
    const theirs = "late-secret-".padEnd(43, "y");
    const writer = spawn("sh", ["-c", `sleep 0.3; printf '%s\\n' '${theirs}' > '${file}'`]);
    const exited = new Promise((resolve) => writer.on("exit", resolve));
    expect(readConfig({ DATA_DIR: dataDir }).sessionSecrets).toEqual([theirs]);
    await exited;
  });

  it("gives up with one clear line on a file that stays unusable", () => {
    const dataDir = freshDir();
    fs.mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, "session-secret"), "short\n");
    expect(configError({ DATA_DIR: dataDir })).toMatch(/^Configuration error: .*session-secret holds no usable session secret/);
  });

  it("names DATA_DIR when the folder cannot be written", () => {
    const blocker = path.join(tmpRoot, "a-file");
    writeFileSync(blocker, "");
    expect(configError({ DATA_DIR: path.join(blocker, "data") })).toMatch(
      /^Configuration error: DATA_DIR .* cannot hold the session secret/,
    );
  });

  it("is the same in processes that start at the same moment", async () => {
    const dataDir = freshDir();
    const script = `import { readConfig } from "@/lib/config"; process.stdout.write(readConfig({ DATA_DIR: ${JSON.stringify(dataDir)} }).sessionSecrets[0]);`;
    const run = () =>
      promisify(execFile)(process.execPath, [path.resolve("node_modules/tsx/dist/cli.mjs"), "--conditions=react-server", "-e", script], {
        cwd: path.resolve("."),
      }).then((r) => r.stdout);
    const secrets = await Promise.all([run(), run(), run()]);
    expect(new Set(secrets).size).toBe(1);
    expect(secrets[0]!.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(path.join(dataDir, "session-secret"), "utf8").trim()).toBe(secrets[0]);
  });
});

describe("providers", () => {
  const mb = { ...production, SMS_PROVIDER: "messagebird", MESSAGEBIRD_ACCESS_KEY: "live_abc", MESSAGEBIRD_ORIGINATOR: "Flynth" };
  const hc = { ...production, CAPTCHA_PROVIDER: "hcaptcha", HCAPTCHA_SITE_KEY: "site-key-1", HCAPTCHA_SECRET: "0xsecret" };

  it("keeps the built-in CAPTCHA and the outbox by default, with the documented limits", () => {
    const c = readConfig(production);
    expect(c.captchaProvider).toBe("builtin");
    expect(c.smsProvider).toBe("outbox");
    expect(c.messagebird).toBeUndefined();
    expect(c.hcaptcha).toBeUndefined();
    expect(c.providerTimeoutMs).toBe(5000);
    expect(c.sms).toEqual({ allowedCountries: ["NL"], capPerHour: 500, capPerDay: 5000 });
    expect(c.audit.retentionDays).toBe(365);
    expect(c.admin).toEqual({ idleMinutes: 30, sessionHours: 8 });
  });

  it("asks users to confirm their mobile number again after RECOVERY_RECONFIRM_DAYS, 180 by default", () => {
    expect(readConfig(production).recovery.reconfirmDays).toBe(180);
    expect(readConfig({ ...production, RECOVERY_RECONFIRM_DAYS: "90" }).recovery.reconfirmDays).toBe(90);
    expect(configError({ ...production, RECOVERY_RECONFIRM_DAYS: "0" })).toMatch(/^Configuration error: RECOVERY_RECONFIRM_DAYS /);
    expect(configError({ ...production, RECOVERY_RECONFIRM_DAYS: "half a year" })).toMatch(
      /^Configuration error: RECOVERY_RECONFIRM_DAYS /,
    );
  });

  it("reads MessageBird and hCaptcha settings", () => {
    const c = readConfig({ ...mb, ...hc, SMS_ALLOWED_COUNTRIES: "nl, be" });
    expect(c.messagebird).toEqual({ accessKey: "live_abc", originator: "Flynth", signingKey: undefined, standIn: undefined });
    expect(c.hcaptcha).toMatchObject({
      siteKey: "site-key-1",
      secret: "0xsecret",
      scriptUrl: "https://js.hcaptcha.com/1/api.js",
      verifyUrl: "https://api.hcaptcha.com/siteverify",
      noJsFallback: "builtin",
    });
    expect(c.sms.allowedCountries).toEqual(["NL", "BE"]);
  });

  it("names the missing MessageBird or hCaptcha setting", () => {
    expect(configError({ ...mb, MESSAGEBIRD_ACCESS_KEY: undefined })).toMatch(/^Configuration error: MESSAGEBIRD_ACCESS_KEY is required/);
    expect(configError({ ...mb, MESSAGEBIRD_ORIGINATOR: undefined })).toMatch(/^Configuration error: MESSAGEBIRD_ORIGINATOR is required/);
    expect(configError({ ...mb, MESSAGEBIRD_ORIGINATOR: "A name that is too long" })).toMatch(
      /^Configuration error: MESSAGEBIRD_ORIGINATOR /,
    );
    expect(configError({ ...hc, HCAPTCHA_SECRET: undefined })).toMatch(/^Configuration error: HCAPTCHA_SECRET is required/);
    expect(configError({ ...production, SMS_ALLOWED_COUNTRIES: "Netherlands" })).toMatch(/^Configuration error: SMS_ALLOWED_COUNTRIES /);
  });

  it("reads the allowed SMS countries alone, as the full configuration does, without needing the rest", () => {
    expect(readAllowedCountries({})).toEqual(["NL"]);
    expect(readAllowedCountries({ SMS_ALLOWED_COUNTRIES: "nl, be,DE" })).toEqual(
      readConfig({ ...production, SMS_ALLOWED_COUNTRIES: "nl, be,DE" }).sms.allowedCountries,
    );
    expect(readAllowedCountries({ SMS_ALLOWED_COUNTRIES: "nl, be,DE", DATABASE_URL: "postgres://x/y" })).toEqual(["NL", "BE", "DE"]);
    expect(() => readAllowedCountries({ SMS_ALLOWED_COUNTRIES: "Netherlands" })).toThrow(
      /^Configuration error: SMS_ALLOWED_COUNTRIES must be ISO country codes/,
    );
  });

  it("refuses a known CAPTCHA answer when real messages go out, but not against the stand-in", () => {
    expect(configError({ ...mb, CAPTCHA_TEST_ANSWER: "AdE4rT" })).toMatch(/^Configuration error: CAPTCHA_TEST_ANSWER must not be set/);
    const standIn = {
      ...mb,
      CAPTCHA_TEST_ANSWER: "AdE4rT",
      MESSAGEBIRD_STAND_IN: "https://127.0.0.1:3182",
      MESSAGEBIRD_STAND_IN_CA: "ca.pem",
    };
    expect(readConfig(standIn).messagebird?.standIn?.url).toBe("https://127.0.0.1:3182");
    expect(configError({ ...mb, MESSAGEBIRD_STAND_IN: "https://127.0.0.1:3182" })).toMatch(
      /^Configuration error: MESSAGEBIRD_STAND_IN_CA is required/,
    );
  });

  it("refuses hCaptcha's public test keys against hCaptcha itself, but allows them against a stand-in", () => {
    const testKeys = {
      ...hc,
      HCAPTCHA_SITE_KEY: "10000000-ffff-ffff-ffff-000000000001",
      HCAPTCHA_SECRET: "0x0000000000000000000000000000000000000000",
    };
    expect(configError(testKeys)).toMatch(/^Configuration error: HCAPTCHA_SITE_KEY\/HCAPTCHA_SECRET are hCaptcha's public test keys/);
    expect(readConfig({ ...testKeys, HCAPTCHA_VERIFY_URL: "http://127.0.0.1:3181/siteverify" }).hcaptcha?.siteKey).toBe(
      testKeys.HCAPTCHA_SITE_KEY,
    );
  });
});

describe("directory settings", () => {
  const caFile = path.join(tmpRoot, "directory-ca.pem");
  writeFileSync(caFile, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  const notCa = path.join(tmpRoot, "not-a-certificate.pem");
  writeFileSync(notCa, "just some text\n");
  const ad = {
    ...production,
    DIRECTORY: "ad",
    LDAP_URL: "ldaps://dc1.example.nl, ldaps://dc2.example.nl:636/",
    LDAP_BIND_DN: "CN=svc-toegang,OU=Services,DC=example,DC=nl",
    LDAP_BIND_PASSWORD: "service-password",
    LDAP_BASE_DN: "OU=Medewerkers,DC=example,DC=nl",
  };

  it("is the builtin store by default, with nothing else to set", () => {
    expect(readConfig(production).directory).toEqual({ kind: "builtin" });
  });

  it("reads an AD directory with its defaults: the three ID forms, mobile, 5 s, two-step history on reset", () => {
    expect(readConfig(ad).directory).toEqual({
      kind: "ad",
      urls: ["ldaps://dc1.example.nl", "ldaps://dc2.example.nl:636"],
      bindDn: ad.LDAP_BIND_DN,
      bindPassword: "service-password",
      baseDn: ad.LDAP_BASE_DN,
      userFilter: "(|(userPrincipalName={id})(mail={id})(sAMAccountName={id}))",
      caFile: undefined,
      tlsServername: undefined,
      mobileAttribute: "mobile",
      adminGroupDn: undefined,
      timeoutMs: 5_000,
      adHistoryOnReset: "two-step",
    });
  });

  it("reads every LDAP_* setting of an OpenLDAP directory", () => {
    const config = readConfig({
      ...ad,
      DIRECTORY: "ldap",
      LDAP_URL: "ldap://ldap.example.nl:389",
      LDAP_BIND_DN: "cn=toegang,ou=services,dc=example,dc=nl",
      LDAP_USER_FILTER: "(&(objectClass=inetOrgPerson)(mail={id}))",
      LDAP_CA_FILE: caFile,
      LDAP_TLS_SERVERNAME: "ldap.example.nl",
      LDAP_MOBILE_ATTRIBUTE: "telephoneNumber",
      LDAP_ADMIN_GROUP_DN: "cn=beheer,ou=groups,dc=example,dc=nl",
      LDAP_TIMEOUT_MS: "2500",
    }).directory;
    expect(config).toMatchObject({
      kind: "ldap",
      urls: ["ldap://ldap.example.nl:389"],
      userFilter: "(&(objectClass=inetOrgPerson)(mail={id}))",
      caFile,
      tlsServername: "ldap.example.nl",
      mobileAttribute: "telephoneNumber",
      adminGroupDn: "cn=beheer,ou=groups,dc=example,dc=nl",
      timeoutMs: 2_500,
    });
    expect(readConfig({ ...ad, DIRECTORY: "ldap" }).directory).toMatchObject({ userFilter: "(|(mail={id})(uid={id}))" });
  });

  it("lets AD bind with a user principal name or DOMAIN\\name, OpenLDAP only with a DN", () => {
    expect(readConfig({ ...ad, LDAP_BIND_DN: "svc-toegang@example.nl" }).directory).toMatchObject({ bindDn: "svc-toegang@example.nl" });
    expect(readConfig({ ...ad, LDAP_BIND_DN: "EXAMPLE\\svc-toegang" }).directory).toMatchObject({ bindDn: "EXAMPLE\\svc-toegang" });
    expect(configError({ ...ad, DIRECTORY: "ldap", LDAP_BIND_DN: "svc-toegang@example.nl" })).toMatch(
      /^Configuration error: LDAP_BIND_DN must be a DN/,
    );
  });

  it("stops the start with one line naming the wrong or missing setting", () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ DIRECTORY: "novell" }, /^Configuration error: DIRECTORY must be builtin, ad or ldap$/],
      [{ LDAP_URL: "" }, /^Configuration error: LDAP_URL is required when DIRECTORY=ad/],
      [{ LDAP_URL: "https://dc1.example.nl" }, /^Configuration error: LDAP_URL must be one or more ldaps:\/\/ or ldap:\/\/ URLs/],
      [{ LDAP_URL: "ldaps://dc1.example.nl/dc=example?sub" }, /^Configuration error: LDAP_URL must be/],
      [{ LDAP_URL: "ldaps://dc1.example.nl,,ldaps://dc2" }, /^Configuration error: LDAP_URL must be/],
      [{ LDAP_BIND_DN: "" }, /^Configuration error: LDAP_BIND_DN is required/],
      [{ LDAP_BIND_DN: "just a name" }, /^Configuration error: LDAP_BIND_DN must be a DN/],
      [{ LDAP_BIND_PASSWORD: "" }, /^Configuration error: LDAP_BIND_PASSWORD is required/],
      [{ LDAP_BASE_DN: "" }, /^Configuration error: LDAP_BASE_DN is required/],
      [{ LDAP_BASE_DN: "Medewerkers" }, /^Configuration error: LDAP_BASE_DN must be a DN/],
      [{ LDAP_USER_FILTER: "(mail=jan@example.nl)" }, /^Configuration error: LDAP_USER_FILTER must contain \{id\}/],
      [{ LDAP_USER_FILTER: "mail={id}" }, /^Configuration error: LDAP_USER_FILTER must be one filter in parentheses/],
      [{ LDAP_USER_FILTER: "(|(mail={id})(uid={id})" }, /^Configuration error: LDAP_USER_FILTER is not a valid LDAP filter/],
      [{ LDAP_USER_FILTER: "(mail={id}*)" }, /^Configuration error: LDAP_USER_FILTER must not put \* next to \{id\}/],
      [{ LDAP_CA_FILE: path.join(tmpRoot, "missing.pem") }, /^Configuration error: LDAP_CA_FILE .*missing\.pem cannot be read \(ENOENT\)$/],
      [{ LDAP_CA_FILE: notCa }, /^Configuration error: LDAP_CA_FILE .* holds no PEM certificate/],
      [{ LDAP_TLS_SERVERNAME: "dc1 example" }, /^Configuration error: LDAP_TLS_SERVERNAME must be the host name/],
      [{ LDAP_MOBILE_ATTRIBUTE: "mobile)(x=*" }, /^Configuration error: LDAP_MOBILE_ATTRIBUTE must be an attribute name/],
      [{ LDAP_ADMIN_GROUP_DN: "Beheerders" }, /^Configuration error: LDAP_ADMIN_GROUP_DN must be the DN of a group/],
      [{ LDAP_TIMEOUT_MS: "5s" }, /^Configuration error: LDAP_TIMEOUT_MS must be a whole number$/],
      [{ LDAP_TIMEOUT_MS: "50" }, /^Configuration error: LDAP_TIMEOUT_MS must be at least 100$/],
      [{ AD_HISTORY_ON_RESET: "hints" }, /^Configuration error: AD_HISTORY_ON_RESET must be two-step or off$/],
    ];
    for (const [change, expected] of cases) expect(configError({ ...ad, ...change })).toMatch(expected);
  });

  it("refuses LDAP_URL without DIRECTORY, which would quietly use the demo accounts instead", () => {
    expect(configError({ ...production, LDAP_URL: "ldaps://dc1.example.nl" })).toMatch(
      /^Configuration error: LDAP_URL is set but DIRECTORY is builtin; set DIRECTORY=ad or DIRECTORY=ldap/,
    );
  });
});
