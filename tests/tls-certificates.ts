// Throwaway TLS certificates for local stand-ins and test directories: a CA and one server certificate signed by it,
// made with the openssl CLI (EC keys, so it takes milliseconds).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export type TestCertificates = { caFile: string; keyFile: string; certFile: string };

/** Writes ca.pem, server.key and server.pem into `dir`; `altNames` are subjectAltName entries such as DNS:x or IP:y. */
export function makeTestCertificates(dir: string, names: { ca: string; commonName: string; altNames: string[] }): TestCertificates {
  mkdirSync(dir, { recursive: true });
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...ec, "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "30", "-subj", `/CN=${names.ca}`);
  openssl("req", ...ec, "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", `/CN=${names.commonName}`);
  const ext = f("server.ext");
  writeFileSync(ext, `subjectAltName=${names.altNames.join(",")}\nextendedKeyUsage=serverAuth\n`);
  openssl(
    "x509",
    "-req",
    "-in",
    f("server.csr"),
    "-CA",
    f("ca.pem"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-out",
    f("server.pem"),
    "-days",
    "30",
    "-extfile",
    ext,
  );
  return { caFile: f("ca.pem"), keyFile: f("server.key"), certFile: f("server.pem") };
}
