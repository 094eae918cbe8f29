// Replay after a "parser fix": inputs archived by a pipeline configured one way are re-read by one configured another; only changed leads are corrected (same ids), rejected inputs recovered, and a second run publishes nothing.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import type { CloudEvent } from '../src/events.js';
import type { Lead } from '../src/lead.js';
import { silentLogger } from '../src/log.js';
import { Pipeline } from '../src/pipeline/index.js';
import { replay, type ReplayCounts, type ReplayOptions } from '../src/replay.js';
import { Database } from '../src/stores/sqlite-driver.js';
import { SqliteStore } from '../src/stores/sqlite.js';
import { tempDir } from './support/gateway.js';
import { expectValidEvent } from './support/schemas.js';

const REAL = new URL('../fixtures/real-leads/', import.meta.url);
const TWO_PROSPECTS = new URL('../src/formats/fixtures/two-prospects.xml', import.meta.url);
const ROOT = new URL('..', import.meta.url).pathname;
const BLANK = 'published-everlogic-template-1.xml';
/** Read with an XML depth limit of 3 these are rejected (xml_too_deep); with the default limit they are leads. */
const REJECTED_FIRST = ['kia-digital-kiacom-testdrive-1.xml', 'truecar-pnc-1.xml'];
const accepted = readdirSync(REAL).filter((f) => f.endsWith('.xml') && f !== BLANK && !REJECTED_FIRST.includes(f)).sort();
const fixture = (f: string): Buffer => readFileSync(new URL(f, REAL));

/** Before the "fix": Tustin Mazda's configured name. After it: a new name, so exactly its leads read differently. */
const BEFORE = [{ id: 'tustin-mazda', name: 'Tustin Mazda' }];
const AFTER = [{ id: 'tustin-mazda', name: 'Tustin Mazda Group', vendorNames: ['Tustin Mazda'] }];
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();
const WINDOW = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-04T00:00:00.000Z' };

describe('replay', () => {
  let dir: string;
  let store: SqliteStore;
  let before: Config;
  let after: Config;
  let fixed: Pipeline;

  const ingest = (pipeline: Pipeline, bytes: Buffer, receivedAt: string) => pipeline.ingest({ bytes, contentType: 'application/xml', transport: 'http', receivedAt });
  const run = (opts: Partial<ReplayOptions> = {}): Promise<ReplayCounts> => replay({ store, pipeline: fixed, topic: after.topics.leads, log: silentLogger }, { ...WINDOW, ...opts });
  /** Mark everything in the outbox published, as the relay would; returns what was there. */
  const publish = async (): Promise<CloudEvent<any>[]> => {
    const events = await store.pendingEvents(10_000);
    await store.markSent(
      events.map((e) => e.seq),
      new Date().toISOString(),
    );
    return events.map((e) => JSON.parse(e.value));
  };
  const sql = (text: string, ...args: unknown[]): void => {
    const db = new Database(join(dir, 'leadgate.db'));
    db.prepare(text).run(...args);
    db.close();
  };

  beforeEach(() => {
    dir = tempDir();
    store = new SqliteStore(join(dir, 'leadgate.db'));
    before = loadConfig({ env: {}, overrides: { dataDir: dir, dealers: BEFORE } });
    after = loadConfig({ env: {}, overrides: { dataDir: dir, dealers: AFTER } });
    fixed = new Pipeline(after, store, silentLogger);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The archive as the old pipeline left it: every fixture accepted or rejected, the resent TrueCar lead accepted later. */
  async function archiveBeforeTheFix() {
    const old = new Pipeline(before, store, silentLogger);
    const strict = new Pipeline({ ...before, limits: { ...before.limits, xmlMaxDepth: 3 } }, store, silentLogger);
    const leads: Lead[] = [];
    for (const [i, f] of accepted.entries()) leads.push(...(await ingest(old, fixture(f), at(i))).published);
    const rejected: Record<string, string> = {};
    for (const [i, f] of REJECTED_FIRST.entries()) {
      await expect(ingest(strict, fixture(f), at(100 + i))).rejects.toMatchObject({ code: 'xml_too_deep' });
      rejected[f] = (await store.listInputs({ outcome: 'rejected' })).at(-1)!.id;
    }
    await expect(ingest(old, fixture(BLANK), at(110))).rejects.toMatchObject({ code: 'no_customer_contact' });
    // The TrueCar customer writes again (the provider resends) before anyone replays: the recovered lead is its duplicate.
    const resent = await ingest(old, fixture('truecar-pnc-1.xml'), at(200));
    await publish();
    return { leads, rejected, resent, inputs: accepted.length + REJECTED_FIRST.length + 2 };
  }

  it('publishes one correction per changed lead, recovers rejected inputs, and nothing the second time', async () => {
    const { leads, rejected, resent, inputs } = await archiveBeforeTheFix();
    const tustin = leads.filter((l) => l.dealer.id === 'tustin-mazda');
    expect(tustin.length).toBe(3);

    const dry = await run({ dryRun: true });
    const expected: ReplayCounts = {
      examined: inputs,
      unchanged: leads.length - tustin.length + 1, // + the resent TrueCar lead
      corrected: tustin.length,
      recovered: 2,
      added: 2,
      stillRejected: 1,
      lost: 0,
      noBaseline: 0,
      failed: 0,
    };
    expect(dry).toEqual(expected);
    expect(await store.countPending()).toBe(0);
    expect((await store.getInput(rejected['truecar-pnc-1.xml']))!.outcome).toBe('rejected');

    expect(await run()).toEqual(expected);
    const events = await publish();
    for (const e of events) expectValidEvent(e);

    // Exactly one correction per changed lead, under the lead's own ids, linked to the input re-read.
    const corrections = events.filter((e) => e.type === 'com.leadgate.lead.corrected');
    expect(corrections.map((e) => e.subject).sort()).toEqual(tustin.map((l) => l.leadId).sort());
    for (const c of corrections) {
      const original = tustin.find((l) => l.leadId === c.subject)!;
      expect(c.data.leadId).toBe(original.leadId);
      expect(c.data.customerId).toBe(original.customerId);
      expect(c.partitionkey).toBe(original.customerId);
      expect(c.corrects).toBe(original.leadId);
      expect((await store.leadsOfInput(c.replayof!)).map((l) => l.leadId)).toContain(original.leadId);
      expect(c.data.dealer).toEqual({ id: 'tustin-mazda', name: 'Tustin Mazda Group' });
      // Apart from what the fix changed, the lead is the one first published.
      expect({ ...c.data, dealer: original.dealer }).toEqual(original);
    }

    // The rejected inputs are leads now, committed as if they had arrived then, under their own input ids.
    const recovered = events.filter((e) => e.type !== 'com.leadgate.lead.corrected');
    expect(recovered).toHaveLength(2);
    const kia = (await store.leadsOfInput(rejected['kia-digital-kiacom-testdrive-1.xml']))[0];
    const truecar = (await store.leadsOfInput(rejected['truecar-pnc-1.xml']))[0];
    expect(recovered.find((e) => e.subject === kia.leadId)).toMatchObject({ type: 'com.leadgate.lead.received', data: { receivedAt: at(100) } });
    // The customer had written again meanwhile: the recovered lead is the duplicate of that newer one.
    expect(recovered.find((e) => e.subject === truecar.leadId)).toMatchObject({
      type: 'com.leadgate.lead.duplicate',
      data: { duplicateOf: resent.leads[0].leadId, customerId: resent.leads[0].customerId, receivedAt: at(101) },
    });
    for (const id of Object.values(rejected)) expect(await store.getInput(id)).toMatchObject({ outcome: 'accepted' });
    expect((await store.getInput(rejected['truecar-pnc-1.xml']))!.errorCode).toBeUndefined();

    // Running it again publishes nothing.
    expect(await run()).toEqual({ ...expected, unchanged: leads.length + 1 + 2, corrected: 0, recovered: 0, added: 0 });
    expect(await store.countPending()).toBe(0);
  });

  it('selects a dealer by the transport, by where its leads were filed, and by where a rejected input now reads', async () => {
    await archiveBeforeTheFix();
    // An input the transport filed under Tustin Mazda (its intake address, say) that holds no lead.
    await expect(fixed.ingest({ bytes: Buffer.from('not a lead'), contentType: 'text/plain', transport: 'smtp', receivedAt: at(300), dealerId: 'tustin-mazda' })).rejects.toThrow();
    expect(await run({ dealerId: 'tustin-mazda', dryRun: true })).toMatchObject({ examined: 4, corrected: 3, unchanged: 0, recovered: 0, stillRejected: 1 });
    // Both inputs rejected without a dealer are Mission Viejo Kia's because they now read as theirs; the blank template is nobody's.
    const kia = await run({ dealerId: 'mission-viejo-kia', dryRun: true });
    expect(kia).toMatchObject({ corrected: 0, recovered: 2, stillRejected: 0 });
    expect(kia.unchanged).toBe(kia.examined - 2);
    // Outside the window nothing is examined.
    expect(await run({ since: '2026-03-03T00:00:00.000Z' })).toMatchObject({ examined: 0 });
  });

  it('matches prospects by their place in the input, and leaves leads it has no baseline for', async () => {
    const old = new Pipeline(before, store, silentLogger);
    const two = await ingest(old, readFileSync(TWO_PROSPECTS), at(1));
    expect(two.leads).toHaveLength(2);
    const single = await ingest(old, fixture('cargurus-no-phone-2.xml'), at(2));
    await publish();
    // As if the first read had missed the first prospect, and as if the Tustin lead predated content hashes.
    sql('DELETE FROM leads WHERE lead_id = ?', two.leads[0].leadId);
    sql('UPDATE leads SET content_hash = NULL WHERE lead_id = ?', single.leads[0].leadId);

    expect(await run()).toMatchObject({ examined: 2, unchanged: 1, corrected: 0, added: 1, noBaseline: 1 });
    const events = await publish();
    // The missed prospect is a new lead; the second one, matched by its index, is unchanged (not "corrected" into the first).
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'com.leadgate.lead.received', data: { customer: { emails: ['one@example.com'] } } });
    expect((await store.leadsOfInput(two.inputId)).map((l) => l.draftIndex)).toEqual([1, 0]);
  });

  it('skips purged inputs: their bytes are gone', async () => {
    const old = new Pipeline(before, store, silentLogger);
    await ingest(old, fixture('cargurus-no-phone-2.xml'), at(1));
    await publish();
    expect(await store.purgeRaw(at(2))).toBe(1);
    expect(await run()).toMatchObject({ examined: 0, corrected: 0 });
    expect(await store.countPending()).toBe(0);
  });

  it('runs from the command line with the current configuration', async () => {
    const old = new Pipeline(before, store, silentLogger);
    await ingest(old, fixture('cargurus-no-phone-2.xml'), at(1));
    await ingest(old, fixture('cargurus-1.xml'), at(2));
    await publish();
    writeFileSync(join(dir, 'leadgate.json'), JSON.stringify({ dealers: AFTER }));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'replay', '--since', '2026-03-01', '--until', '2026-03-03T00:00:00Z', '--data-dir', dir, '--config', join(dir, 'leadgate.json')],
      { cwd: ROOT, env: { ...process.env, LEADGATE_LOG_LEVEL: 'silent' } },
    );
    expect(stdout).toMatch(/^examined 2 input\(s\): 1 lead\(s\) unchanged, 1 corrected, 0 rejected input\(s\) recovered \(0 new lead\(s\)\), 0 still rejected/);
    const events = await publish();
    expect(events.map((e) => e.type)).toEqual(['com.leadgate.lead.corrected']);
  });
});
