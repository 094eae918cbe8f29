// Secret hashes: both forms verify the right secret and only it, scrypt runs once per accepted secret, HMAC secrets and signatures, and `leadgate hash-secret` end to end.
import { execFile } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateApiKey, hashScrypt, hashSha256, hmacSignature, parseSecretHash, readHmacSecret, SecretVerifier } from './secrets.js';

/** Cheap scrypt parameters keep the tests quick; the format and code path are the same. */
const FAST = { N: 1024, r: 8, p: 1 };

describe('secret hashes', () => {
  it('sha256 form verifies exactly the secret it was made from', async () => {
    const key = generateApiKey();
    expect(key).toMatch(/^lg_[A-Za-z0-9_-]{43}$/);
    const v = new SecretVerifier(hashSha256(key));
    expect(await v.verify(key)).toBe(true);
    expect(await v.verify(`${key}x`)).toBe(false);
    expect(await v.verify(key.slice(0, -1))).toBe(false);
    expect(await v.verify('')).toBe(false);
  });

  it('scrypt form verifies the password, refuses others, and uses a fresh salt each time', async () => {
    const a = await hashScrypt('correct horse', FAST);
    const b = await hashScrypt('correct horse', FAST);
    expect(a).toMatch(/^scrypt:1024:8:1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    const v = new SecretVerifier(a);
    expect(await v.verify('correct horse')).toBe(true);
    expect(await v.verify('correct horse ')).toBe(false);
    expect(await v.verify('Correct horse')).toBe(false);
  });

  it('remembers an accepted password (no second scrypt), never a wrong one', async () => {
    const v = new SecretVerifier(await hashScrypt('hunter22', FAST));
    const digest = (s: string) => createHash('sha256').update(s).digest();
    expect(v.matchesFast(digest('hunter22'))).toBe(false);
    expect(await v.verify('hunter22')).toBe(true);
    // From now on the fast path answers: verify() returns before deriving anything.
    expect(v.matchesFast(digest('hunter22'))).toBe(true);
    expect(await v.verify('hunter22')).toBe(true);
    expect(await v.verify('hunter23')).toBe(false);
    expect(v.matchesFast(digest('hunter23'))).toBe(false);
  });

  it('a decoy costs a real derivation and never matches', async () => {
    const real = new SecretVerifier(await hashScrypt('pw', FAST));
    const decoy = SecretVerifier.decoy(real);
    expect(decoy.kind).toBe('scrypt');
    expect(await decoy.verify('pw')).toBe(false);
    expect(SecretVerifier.decoy(new SecretVerifier(hashSha256('k'))).kind).toBe('sha256');
  });

  it('explains malformed or dangerous hashes', () => {
    expect(() => parseSecretHash('md5:abc')).toThrow(/sha256:<64 hex digits> or scrypt/);
    expect(() => parseSecretHash('scrypt:1000:8:1:c2FsdHNhbHQ=:aGFzaGhhc2hoYXNoaGFzaA==')).toThrow(/power of two/);
    expect(() => parseSecretHash('scrypt:4194304:8:1:c2FsdHNhbHQ=:aGFzaGhhc2hoYXNoaGFzaA==')).toThrow(/too large/);
    expect(() => parseSecretHash('scrypt:1024:8:1:c2E=:aGFzaGhhc2hoYXNoaGFzaA==')).toThrow(/salt/);
    expect(parseSecretHash(hashSha256('x')).kind).toBe('sha256');
  });
});

describe('HMAC secrets and signatures', () => {
  it('reads the secret from an environment variable or a file (trailing newline dropped), and says what is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadgate-secrets-'));
    try {
      writeFileSync(join(dir, 'secret'), 'a-long-shared-secret-value\r\n');
      expect(readHmacSecret({ secretFile: join(dir, 'secret') }, {}).toString()).toBe('a-long-shared-secret-value');
      expect(readHmacSecret({ secretEnv: 'S' }, { S: 'another-long-secret!' }).toString()).toBe('another-long-secret!');
      expect(() => readHmacSecret({ secretEnv: 'S' }, {})).toThrow(/S is not set/);
      expect(() => readHmacSecret({ secretFile: join(dir, 'missing') }, {})).toThrow(/cannot read .*ENOENT/);
      expect(() => readHmacSecret({ secretEnv: 'S' }, { S: 'short' })).toThrow(/shorter than 16 bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('signs timestamp "." body, as openssl would', () => {
    const secret = Buffer.from('a-long-shared-secret-value');
    const body = Buffer.from('<adf/>');
    const expected = createHmac('sha256', secret).update('1700000000.<adf/>').digest('hex');
    expect(hmacSignature(secret, '1700000000', body).toString('hex')).toBe(expected);
    expect(hmacSignature(secret, '1700000001', body).toString('hex')).not.toBe(expected);
  });
});

function runCli(args: string[], stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, ['--import', 'tsx', new URL('./cli.ts', import.meta.url).pathname, ...args], (err, stdout, stderr) =>
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin);
  });
}

describe('leadgate hash-secret', () => {
  it('prints both forms of a secret read from stdin, each verifying it', async () => {
    const r = await runCli(['hash-secret'], 'a password people chose\n');
    expect(r.code).toBe(0);
    const [sha, scrypt] = r.stdout.trim().split('\n');
    expect(sha).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(scrypt).toMatch(/^scrypt:16384:8:1:/);
    expect(await new SecretVerifier(sha).verify('a password people chose')).toBe(true);
    expect(await new SecretVerifier(scrypt).verify('a password people chose')).toBe(true);
    expect(await new SecretVerifier(scrypt).verify('a password people chose\n')).toBe(false);
    expect(r.stderr).toMatch(/scrypt/);
  }, 30_000);

  it('--generate prints a new key once with its hash; an empty secret is refused', async () => {
    const [r, empty] = await Promise.all([runCli(['hash-secret', '--generate'], ''), runCli(['hash-secret'], '')]);
    expect(r.code).toBe(0);
    const [key, hash] = r.stdout.trim().split('\n');
    expect(key).toMatch(/^lg_/);
    expect(hash).toBe(hashSha256(key));
    expect(empty.code).toBe(65);
    expect(empty.stderr).toMatch(/empty/);
  }, 30_000);
});
