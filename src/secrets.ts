// Credential secrets: hashing (sha256 for generated keys, scrypt for passwords people chose), constant-time verification with scrypt successes cached, HMAC secrets and signatures.
import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** scrypt cost for new hashes: 16 MiB and ~50 ms per derivation, paid once per password per process thanks to the cache. */
export const SCRYPT_DEFAULTS = { N: 16384, r: 8, p: 1 } as const;
const SCRYPT_KEY_BYTES = 32;
const SCRYPT_SALT_BYTES = 16;
/** The most memory one scrypt derivation may take (N·r·128 bytes); larger parameters are refused at start-up. */
const SCRYPT_MAX_MEMORY = 256 * 1024 * 1024;
/** HMAC secrets shorter than this could be brute-forced offline from one captured signature. */
export const HMAC_MIN_SECRET_BYTES = 16;

export type ParsedHash =
  | { kind: 'sha256'; digest: Buffer }
  | { kind: 'scrypt'; N: number; r: number; p: number; salt: Buffer; hash: Buffer };

export function sha256(data: string | Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** `sha256:<hex>`: right for generated, high-entropy keys (a fast hash is enough when guessing is hopeless). */
export function hashSha256(secret: string): string {
  return `sha256:${sha256(secret).toString('hex')}`;
}

function deriveScrypt(secret: string | Buffer, salt: Buffer, N: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  return new Promise((done, fail) => {
    scrypt(secret, salt, keyLength, { N, r, p, maxmem: 2 * 128 * N * r + 1024 * 1024 }, (err, key) => (err ? fail(err) : done(key)));
  });
}

/** `scrypt:<N>:<r>:<p>:<saltB64>:<hashB64>`: right for passwords people chose (slow to guess). */
export async function hashScrypt(secret: string, params: { N: number; r: number; p: number } = SCRYPT_DEFAULTS): Promise<string> {
  const salt = randomBytes(SCRYPT_SALT_BYTES);
  const hash = await deriveScrypt(secret, salt, params.N, params.r, params.p, SCRYPT_KEY_BYTES);
  return `scrypt:${params.N}:${params.r}:${params.p}:${salt.toString('base64')}:${hash.toString('base64')}`;
}

/** A new API key: 32 random bytes, URL-safe, with a prefix that makes leaked keys easy to search for. */
export function generateApiKey(): string {
  return `lg_${randomBytes(32).toString('base64url')}`;
}

/** Read a `secretHash` value; throws an Error saying what is wrong (used by the config check and at start-up). */
export function parseSecretHash(text: string): ParsedHash {
  const sha = /^sha256:([0-9a-f]{64})$/.exec(text);
  if (sha) return { kind: 'sha256', digest: Buffer.from(sha[1], 'hex') };
  const m = /^scrypt:(\d+):(\d+):(\d+):([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(text);
  if (!m) throw new Error('must be sha256:<64 hex digits> or scrypt:<N>:<r>:<p>:<salt>:<hash> (leadgate hash-secret prints both)');
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N < 2 || (N & (N - 1)) !== 0) throw new Error(`scrypt N must be a power of two, got ${m[1]}`);
  if (r < 1 || p < 1 || p > 16) throw new Error('scrypt r must be >= 1 and p between 1 and 16');
  if (128 * N * r > SCRYPT_MAX_MEMORY) throw new Error(`scrypt N·r is too large (needs ${Math.round((128 * N * r) / 2 ** 20)} MiB per check; at most 256 MiB)`);
  const salt = Buffer.from(m[4], 'base64');
  const hash = Buffer.from(m[5], 'base64');
  if (salt.length < 8 || hash.length < 16) throw new Error('scrypt salt must be >= 8 bytes and hash >= 16 bytes');
  return { kind: 'scrypt', N, r, p, salt, hash };
}

/**
 * Checks presented secrets against one stored hash in constant time. scrypt is deliberately slow,
 * so once a secret verified, its sha256 is kept and later requests compare against that instead:
 * one scrypt per credential per process, not per request. Failures are never cached (nothing to
 * remember about a wrong guess), so they cost a full derivation, which the per-address rate limit
 * bounds.
 */
export class SecretVerifier {
  private readonly parsed: ParsedHash;
  /** sha256 of the secret that last verified against a scrypt hash. */
  private accepted?: Buffer;

  constructor(secretHash: string) {
    this.parsed = parseSecretHash(secretHash);
  }

  /** A verifier that never matches, costing what a real one of the same kind costs (unknown user names). */
  static decoy(like: SecretVerifier): SecretVerifier {
    const p = like.parsed;
    if (p.kind === 'sha256') return new SecretVerifier(`sha256:${randomBytes(32).toString('hex')}`);
    return new SecretVerifier(`scrypt:${p.N}:${p.r}:${p.p}:${randomBytes(p.salt.length).toString('base64')}:${randomBytes(p.hash.length).toString('base64')}`);
  }

  get kind(): ParsedHash['kind'] {
    return this.parsed.kind;
  }

  /** True when `digest` (sha256 of a presented secret) matches without any slow work. */
  matchesFast(digest: Buffer): boolean {
    if (this.parsed.kind === 'sha256') return timingSafeEqual(digest, this.parsed.digest);
    return this.accepted !== undefined && timingSafeEqual(digest, this.accepted);
  }

  async verify(presented: string, digest: Buffer = sha256(presented)): Promise<boolean> {
    if (this.matchesFast(digest)) return true;
    const p = this.parsed;
    if (p.kind === 'sha256') return false;
    const derived = await deriveScrypt(presented, p.salt, p.N, p.r, p.p, p.hash.length);
    if (!timingSafeEqual(derived, p.hash)) return false;
    this.accepted = digest;
    return true;
  }
}

/** Where an HMAC credential's shared secret lives. */
export interface HmacSecretSource {
  secretEnv?: string;
  secretFile?: string;
}

/** The HMAC shared secret from its environment variable or file (a trailing newline is dropped); throws saying what is missing. */
export function readHmacSecret(source: HmacSecretSource, env: NodeJS.ProcessEnv): Buffer {
  let secret: Buffer;
  if (source.secretEnv) {
    const value = env[source.secretEnv];
    if (!value) throw new Error(`environment variable ${source.secretEnv} is not set`);
    secret = Buffer.from(value, 'utf8');
  } else if (source.secretFile) {
    try {
      secret = readFileSync(resolve(source.secretFile));
    } catch (err) {
      throw new Error(`cannot read ${source.secretFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const end = secret.length - (secret.at(-1) === 0x0a ? (secret.at(-2) === 0x0d ? 2 : 1) : 0);
    secret = secret.subarray(0, end);
  } else {
    throw new Error('needs secretEnv or secretFile');
  }
  if (secret.length < HMAC_MIN_SECRET_BYTES) throw new Error(`the shared secret is shorter than ${HMAC_MIN_SECRET_BYTES} bytes`);
  return secret;
}

/** The request signature: HMAC-SHA256(secret, `<timestamp>.<body>`), raw 32 bytes. */
export function hmacSignature(secret: Buffer, timestamp: string, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** Constant-time equality of two byte strings (false at once when the lengths differ, which is public). */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
