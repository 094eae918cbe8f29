// New ids for inputs, leads, customers and events: UUID version 7 (RFC 9562), time-ordered, so each insert lands at the end of its index instead of on a random page.
import { randomFillSync } from 'node:crypto';

/** Random bytes drawn in blocks: one syscall-backed fill per 256 ids instead of one per id. */
const POOL = Buffer.alloc(10 * 256);
let poolAt = POOL.length;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Last timestamp and sequence, so ids made in the same millisecond still sort in creation order. */
let lastMs = 0;
let seq = 0;

/**
 * A UUIDv7: 48 bits of Unix milliseconds, then a 12-bit sequence within the millisecond (RFC 9562
 * §6.2 method 1, seeded randomly each millisecond), then 62 random bits. Random v4 ids scatter
 * every insert over the whole B-tree, which made each group commit write hundreds of pages.
 */
export function newId(now = Date.now()): string {
  if (poolAt + 10 > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const r = poolAt;
  poolAt += 10;
  if (now > lastMs) {
    lastMs = now;
    seq = ((POOL[r]! << 8) | POOL[r + 1]!) & 0x7ff; // start low in the 12-bit space, leaving room to count up
  } else {
    // Same millisecond (or the clock stepped back): keep counting from the last id's time.
    seq++;
    if (seq > 0xfff) {
      lastMs++;
      seq = 0;
    }
  }
  const ms = lastMs;
  const hi = Math.floor(ms / 0x10000); // top 32 bits of the 48-bit time
  const lo = ms % 0x10000;
  const b = [
    (hi >>> 24) & 0xff,
    (hi >>> 16) & 0xff,
    (hi >>> 8) & 0xff,
    hi & 0xff,
    (lo >>> 8) & 0xff,
    lo & 0xff,
    0x70 | (seq >>> 8),
    seq & 0xff,
    0x80 | (POOL[r + 2]! & 0x3f),
    POOL[r + 3]!,
    POOL[r + 4]!,
    POOL[r + 5]!,
    POOL[r + 6]!,
    POOL[r + 7]!,
    POOL[r + 8]!,
    POOL[r + 9]!,
  ];
  const h = b.map((x) => HEX[x]!);
  return `${h[0]}${h[1]}${h[2]}${h[3]}-${h[4]}${h[5]}-${h[6]}${h[7]}-${h[8]}${h[9]}-${h[10]}${h[11]}${h[12]}${h[13]}${h[14]}${h[15]}`;
}
