// sha256 in hex for fingerprints (a lead's raw bytes and content hash, an erasure request's audit hash): Node's one-shot crypto.hash where the runtime has it.
import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: string | Buffer, encoding: 'hex') => string;

/** crypto.hash arrived in Node 20.12 / 21.7; older 20.x builds fall back to a Hash object (same digest). */
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/**
 * sha256 of `data` (strings as UTF-8), lower-case hex. The one-shot call skips building a Hash
 * object per digest, about a quarter of a small digest's cost, paid twice for every lead.
 */
export const sha256Hex: (data: string | Buffer) => string = oneShot
  ? (data) => oneShot('sha256', data, 'hex')
  : (data) => crypto.createHash('sha256').update(data).digest('hex');
