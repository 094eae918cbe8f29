// Retention and erasure: drop raw inputs older than the retention window (daily, in serve, and `leadgate purge`), and erase one customer on request with a tombstone for downstream.
import type { Config } from './config.js';
import { toLeadgateError } from './errors.js';
import { customerErasedEvent } from './events.js';
import type { Logger } from './log.js';
import { normalizeEmail, normalizePhone } from './pipeline/normalize.js';
import { scopeOf } from './pipeline/resolve-dealer.js';
import type { ErasureResult, Store } from './store.js';

const DAY_MS = 86_400_000;

/** Inputs received before this instant are past a window of `days` days. */
export function purgeCutoff(days: number, now: number = Date.now()): string {
  return new Date(now - days * DAY_MS).toISOString();
}

export interface PurgeResult {
  /** Inputs received before this were (or, in a dry run, would be) purged. */
  before: string;
  inputs: number;
  dryRun: boolean;
}

/** How many inputs received before `before` still hold their bytes (what a purge would drop). */
async function countUnpurged(store: Store, before: string): Promise<number> {
  let n = 0;
  let afterId: string | undefined;
  for (;;) {
    const page = await store.listInputs({ until: before, purged: false, limit: 1000, ...(afterId ? { afterId } : {}) });
    n += page.length;
    if (page.length < 1000) return n;
    afterId = page[page.length - 1].id;
  }
}

/** Drop the raw bytes of inputs older than `days` days (a dry run only counts them). */
export async function purgeOlderThan(store: Store, days: number, opts: { dryRun?: boolean; now?: number } = {}): Promise<PurgeResult> {
  const before = purgeCutoff(days, opts.now);
  if (opts.dryRun) return { before, inputs: await countUnpurged(store, before), dryRun: true };
  return { before, inputs: await store.purgeRaw(before), dryRun: false };
}

export interface DailyPurge {
  /** Cancel the schedule and wait for a purge in progress to finish (call before closing the store). */
  stop(): Promise<void>;
}

/**
 * The purge `serve` runs: first a minute after start (not during start-up), then every day. The
 * timer is unref'd so it never keeps a process alive; each run logs counts only.
 */
export function startDailyPurge(store: Store, rawDays: number, log: Logger, opts: { firstDelayMs?: number; intervalMs?: number } = {}): DailyPurge {
  const intervalMs = opts.intervalMs ?? DAY_MS;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const run = async (): Promise<void> => {
    try {
      const { before, inputs } = await purgeOlderThan(store, rawDays);
      log.info({ inputs, before, rawDays }, 'raw inputs purged');
    } catch (err) {
      // Retried at the next run; intake does not depend on it.
      log.warn({ code: toLeadgateError(err).code }, 'raw input purge failed; it runs again at the next interval');
    }
  };
  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = run().finally(() => {
        running = undefined;
        schedule(intervalMs);
      });
    }, ms);
    timer.unref();
  };
  schedule(opts.firstDelayMs ?? 60_000);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** What an erase request names, normalized the way the pipeline normalizes leads (so the identity keys match). */
export interface ErasureTarget {
  emails: string[];
  phones: string[];
  scope?: string;
}

/** The identity scope of a dealer: its group's id when the group shares customers, else its own id (dealers not in the config are their own scope). */
/**
 * Emails and phones as the pipeline keys them: email lower-cased and validated (normalizeEmail),
 * phone to E.164 with the dealer's country (or the configured one; a +country number needs none).
 * Throws an Error naming which value is unusable (without echoing it).
 */
export function erasureTarget(config: Config, opts: { emails?: string[]; phones?: string[]; dealer?: string }): ErasureTarget {
  const emails: string[] = [];
  for (const [i, value] of (opts.emails ?? []).entries()) {
    const found = normalizeEmail(value);
    if (found.length !== 1) throw new Error(`email #${i + 1} is not one valid email address`);
    emails.push(found[0]);
  }
  const country = (opts.dealer ? config.dealers.find((d) => d.id === opts.dealer)?.country : undefined) ?? config.country;
  const phones: string[] = [];
  for (const [i, value] of (opts.phones ?? []).entries()) {
    const phone = normalizePhone(value, { country });
    // Only valid E.164 numbers are identity keys (pipeline/identify.ts), so nothing else could match.
    if (!phone?.e164) throw new Error(`phone #${i + 1} is not a valid phone number for ${country} (give it as +<country code><number>)`);
    phones.push(phone.e164);
  }
  if (emails.length + phones.length === 0) throw new Error('name the customer with --email or --phone');
  return { emails: [...new Set(emails)], phones: [...new Set(phones)], ...(opts.dealer ? { scope: scopeOf(opts.dealer, config) } : {}) };
}

/** Erase a customer everywhere the store holds them and queue one `com.leadgate.customer.erased` tombstone per erased customer id. */
export function eraseCustomer(store: Store, config: Config, target: ErasureTarget, opts: { dryRun?: boolean } = {}): Promise<ErasureResult> {
  return store.eraseCustomer({
    ...target,
    ...(opts.dryRun ? { dryRun: true } : {}),
    tombstone: (c) => customerErasedEvent({ customerId: c.customerId, dealerId: c.scope, erasedAt: c.erasedAt }, config.topics.leads),
  });
}
