// A throwaway self-signed certificate for localhost, made with the openssl CLI at test time (no key material lives in the repo).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  /** PEM file paths, as SmtpConfig.tls expects them. */
  cert: string;
  key: string;
  /** The certificate PEM, for clients that pin it as their CA. */
  certPem: string;
  cleanup(): void;
}

/** True when the openssl CLI can be run (tests that need a certificate skip otherwise). */
export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A 1-day RSA certificate for CN=localhost (SAN localhost and 127.0.0.1) in its own temp dir. */
export function selfSignedCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'leadgate-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert],
    { stdio: 'ignore' },
  );
  return { cert, key, certPem: readFileSync(cert, 'utf8'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
