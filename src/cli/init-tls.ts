import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { createSelfSignedCertificate } from "../tls/self-signed.ts";
import type { InitReport } from "./init-report.ts";

/** Where a TLS certificate and its key go. */
export interface TlsFiles {
  cert: string;
  key: string;
}

/** The names a self-signed certificate covers by default: this host, and loopback. */
export function defaultTlsHosts(): string[] {
  return [...new Set([hostname(), "localhost", "127.0.0.1", "::1"])];
}

/**
 * Writes a self-signed certificate and key unless either file exists: a key already in
 * place may be the one a real certificate was issued for, so it is never replaced.
 */
export function ensureSelfSignedTls(files: TlsFiles, hosts: string[], report: InitReport): void {
  if (existsSync(files.cert) || existsSync(files.key)) {
    report.kept(`TLS certificate ${files.cert} and key ${files.key}`);
    return;
  }

  const { certificatePem, privateKeyPem } = createSelfSignedCertificate(hosts);
  for (const path of [files.cert, files.key]) mkdirSync(dirname(path), { recursive: true });
  writeFileSync(files.key, privateKeyPem, { mode: 0o600, flag: "wx" });
  writeFileSync(files.cert, certificatePem, { mode: 0o600, flag: "wx" });
  report.created(`self-signed TLS certificate ${files.cert} for ${hosts.join(", ")}`);
  report.note(
    "a self-signed certificate makes every client distrust the registry until told to trust " +
      "it (docker's certs.d, --ca-cert, --tls-verify=false); a certificate from a real CA " +
      "(ACME, your organisation's CA) is better: put it at the same paths and restart",
  );
}
