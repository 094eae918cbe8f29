#!/usr/bin/env node
// The leadgate command: serve the gateway, parse lead files to normalized JSON, and show what was rejected.
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.js';
import { toLeadgateError } from './errors.js';
import { startGateway, openStore } from './gateway.js';
import { createLogger, silentLogger } from './log.js';
import { offlineLead, Pipeline } from './pipeline/index.js';
import { replay } from './replay.js';
import { eraseCustomer, erasureTarget, purgeOlderThan } from './retention.js';
import { indexForms } from './formats/form.js';
import type { RawInput } from './input.js';
import { generateApiKey, hashScrypt, hashSha256 } from './secrets.js';

const HELP = `leadgate — the front door for a dealership's sales leads

Usage:
  leadgate serve [--port N] [--host ADDR] [--data-dir DIR] [--config FILE]
      Run the gateway. With no configuration it listens on 127.0.0.1:8080, keeps its
      database in ./data and writes events to ./data/events/*.ndjson.
      Set KAFKA_BROKERS=host:9092,... to publish to Kafka instead.
      Set DATABASE_URL=postgres://user:pass@host/db to keep state in PostgreSQL, so several
      instances behind a load balancer share it (every command below uses it too).

  leadgate parse [--country CC] [--adapter NAME] [--form KEY] FILE...
      Print one normalized Lead (JSON) per line for each ADF, STAR, .eml or form JSON file
      (--form KEY reads them with that configured website form's field names and dealer).
      Exits 2 when a file holds no lead (the reason goes to stderr).

  leadgate rejected [--data-dir DIR] [--since ISO] [--until ISO] [--limit N]
      List archived inputs that held no lead (id, time, code, reason).

  leadgate raw ID [--data-dir DIR]
      Write the archived bytes of one input (accepted or rejected) to stdout.

  leadgate purge [--older-than DAYS] [--dry-run]
      Drop the raw bytes of inputs received more than DAYS days ago (default: retention.rawDays,
      90). Their records stay (sha256, size, outcome). serve also does this once a day.

  leadgate erase --email ADDRESS | --phone NUMBER [--dealer ID] [--dry-run | --yes]
      Erase one customer (a CCPA/GDPR request): identity, lead summaries, the raw inputs that
      held their leads, unpublished events; queues a com.leadgate.customer.erased tombstone so
      downstream consumers erase too. --dry-run prints what it would remove; --yes does it.

  leadgate replay --since ISO --until ISO [--dealer ID] [--dry-run]
      Re-read archived inputs with the current pipeline and configuration (after a parser fix).
      Publishes com.leadgate.lead.corrected for leads that read differently (same leadId),
      leads from inputs that were rejected before, and nothing for what was already right.

  leadgate hash-secret [--generate]
      Print the secretHash forms of a secret read from stdin (or typed at a prompt):
      sha256:… (for generated keys) and scrypt:… (for passwords people chose).
      --generate makes a new random API key and prints it once, then its sha256 hash.

Options:
  --config FILE   JSON configuration file (also LEADGATE_CONFIG)
  -h, --help      Show this help

Environment: LEADGATE_HOST, LEADGATE_PORT, LEADGATE_DATA_DIR, LEADGATE_LOG_LEVEL,
LEADGATE_DEDUPE_WINDOW_DAYS, DATABASE_URL, KAFKA_BROKERS, KAFKA_CLIENT_ID, KAFKA_SSL, KAFKA_SASL_*,
KAFKA_COMPRESSION (see README).
`;

function fail(message: string, code = 1): never {
  process.stderr.write(`leadgate: ${message}\n`);
  process.exit(code);
}

function config(values: Record<string, unknown>): Config {
  try {
    return loadConfig({
      file: values.config as string | undefined,
      overrides: {
        port: values.port !== undefined ? Number(values.port) : undefined,
        host: values.host,
        dataDir: values['data-dir'],
        country: values.country,
      },
    });
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, 78);
    throw err;
  }
}

function contentTypeFor(file: string): string {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return 'application/json';
  if (ext === '.xml' || ext === '.adf') return 'application/xml';
  if (ext === '.eml') return 'message/rfc822';
  return 'text/plain';
}

/** --form KEY: read the files as posts to that configured form (its field names, dealer and provider). */
function formInput(key: string | undefined, cfg: Config): Pick<RawInput, 'adapter' | 'signals' | 'dealerId'> {
  if (key === undefined) return {};
  const dealerId = indexForms(cfg.dealers).get(key)?.dealerId;
  return { adapter: 'form', signals: { form: key }, ...(dealerId ? { dealerId } : {}) };
}

async function parseFiles(files: string[], values: Record<string, unknown>): Promise<number> {
  if (files.length === 0) fail('parse needs at least one FILE (see leadgate --help)', 64);
  const cfg = config(values);
  const pipeline = new Pipeline(cfg, undefined, silentLogger);
  let status = 0;
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      process.stderr.write(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})\n`);
      status = Math.max(status, 1);
      continue;
    }
    try {
      const raw: RawInput = {
        bytes,
        contentType: contentTypeFor(file),
        transport: 'file',
        receivedAt: new Date().toISOString(),
        ...(values.adapter ? { adapter: values.adapter as string } : {}),
        ...formInput(values.form as string | undefined, cfg),
      };
      const prepared = await pipeline.prepare(raw).catch((err: unknown) => {
        // A JSON file that holds no ADF or STAR is a website form post saved as JSON (read with the default field names).
        if (raw.adapter || raw.contentType !== 'application/json' || toLeadgateError(err).code !== 'not_a_lead') throw err;
        return pipeline.prepare({ ...raw, adapter: 'form' });
      });
      for (const p of prepared) process.stdout.write(JSON.stringify(offlineLead(p)) + '\n');
    } catch (err) {
      const e = toLeadgateError(err);
      process.stderr.write(`${basename(file)}: ${e.code}: ${e.detail ?? e.message}\n`);
      status = Math.max(status, e.kind === 'invalid' ? 2 : 1);
    }
  }
  return status;
}

async function serve(values: Record<string, unknown>): Promise<void> {
  const cfg = config(values);
  const log = createLogger({ level: cfg.log.level });
  const gateway = await startGateway(cfg, log).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') fail(`port ${cfg.port} on ${cfg.host} is already in use (choose another with --port)`);
    throw err;
  });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await gateway.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

async function listRejected(values: Record<string, unknown>): Promise<void> {
  const store = openStore(config(values));
  const rows = await store.listInputs({
    outcome: 'rejected',
    since: values.since as string | undefined,
    until: values.until as string | undefined,
    limit: values.limit ? Number(values.limit) : 100,
  });
  for (const r of rows) process.stdout.write(`${r.id}\t${r.receivedAt}\t${r.transport}\t${r.errorCode}\t${r.errorMessage ?? ''}\t${r.size} bytes\n`);
  if (rows.length === 0) process.stderr.write('no rejected inputs\n');
  await store.close();
}

async function showRaw(id: string | undefined, values: Record<string, unknown>): Promise<number> {
  if (!id) fail('raw needs an input ID (see leadgate rejected)', 64);
  const store = openStore(config(values));
  const input = await store.getInput(id);
  await store.close();
  if (!input) fail(`no archived input has id ${id}`, 2);
  if (input.purgedAt) fail(`the bytes of input ${id} were purged at ${input.purgedAt} (retention or erasure); its record remains (sha256 ${input.sha256}, ${input.size} bytes)`, 2);
  process.stdout.write(input.bytes);
  return 0;
}

/** Lines typed at the terminal without echo, one per label (a paste of several lines fills several). */
function promptSecrets(labels: string[]): Promise<string[]> {
  const stdin = process.stdin;
  return new Promise((done) => {
    const lines: string[] = [];
    let typed = '';
    const finish = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\u0003') {
          finish();
          fail('cancelled', 130);
        }
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          lines.push(typed);
          typed = '';
          process.stderr.write('\n');
          if (lines.length === labels.length || ch === '\u0004') {
            finish();
            done(lines);
            return;
          }
          process.stderr.write(labels[lines.length]);
          continue;
        }
        typed = ch === '\u007f' || ch === '\b' ? typed.slice(0, -1) : typed + ch;
      }
    };
    stdin.setRawMode(true);
    process.stderr.write(labels[0]);
    stdin.on('data', onData);
    stdin.resume();
  });
}

async function readSecret(): Promise<string> {
  if (process.stdin.isTTY) {
    // Asked twice, so a typo is caught.
    const [first, again] = await promptSecrets(['Secret: ', 'Again: ']);
    if (again !== first) fail('the two entries differ', 65);
    return first;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline is what `echo` and editors add, not part of the secret.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function hashSecret(values: Record<string, unknown>): Promise<number> {
  if (values.generate) {
    const key = generateApiKey();
    process.stdout.write(`${key}\n${hashSha256(key)}\n`);
    process.stderr.write('line 1: the new API key: give it to the sender now, it is stored nowhere\nline 2: its secretHash for the credential in the config\n');
    return 0;
  }
  const secret = await readSecret();
  if (!secret) fail('the secret is empty', 65);
  process.stdout.write(`${hashSha256(secret)}\n${await hashScrypt(secret)}\n`);
  process.stderr.write('line 1: secretHash for generated, high-entropy keys (sha256)\nline 2: secretHash for passwords people chose (scrypt)\n');
  return 0;
}

/** An ISO date-time option, normalized to the store's form (UTC, milliseconds). */
function instant(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string') fail(`--${name} ISO is required (see leadgate --help)`, 64);
  const t = Date.parse(v);
  if (Number.isNaN(t)) fail(`--${name} must be an ISO date or date-time, got "${v}"`, 64);
  return new Date(t).toISOString();
}

/** Events written by purge/erase/replay wait in the outbox for the gateway's relay. */
const QUEUED_NOTE = 'events are queued in the outbox: a running `leadgate serve` publishes them within seconds, otherwise the next start does';

async function purge(values: Record<string, unknown>): Promise<number> {
  const cfg = config(values);
  const days = values['older-than'] !== undefined ? Number(values['older-than']) : cfg.retention.rawDays;
  if (!Number.isFinite(days) || days < 0) fail(`--older-than must be a number of days, got "${values['older-than']}"`, 64);
  const store = openStore(cfg);
  try {
    const r = await purgeOlderThan(store, days, { dryRun: Boolean(values['dry-run']) });
    process.stdout.write(`${r.dryRun ? 'would purge' : 'purged'} the raw bytes of ${r.inputs} input(s) received before ${r.before}\n`);
  } finally {
    await store.close();
  }
  return 0;
}

async function erase(values: Record<string, unknown>): Promise<number> {
  const cfg = config(values);
  const dryRun = Boolean(values['dry-run']);
  if (!dryRun && !values.yes) fail('erase deletes data for good: add --yes to do it, or --dry-run to see what it would remove', 64);
  let target;
  try {
    target = erasureTarget(cfg, { emails: values.email as string[] | undefined, phones: values.phone as string[] | undefined, dealer: values.dealer as string | undefined });
  } catch (err) {
    fail(`${(err as Error).message} (see leadgate --help)`, 64);
  }
  const store = openStore(cfg);
  try {
    const r = await eraseCustomer(store, cfg, target, { dryRun });
    const verb = dryRun ? 'would erase' : 'erased';
    process.stdout.write(
      `${verb} ${r.customerIds.length} customer(s): ${r.leads} lead(s) redacted, raw bytes of ${r.inputs} input(s) dropped, ${r.events} unpublished event(s) deleted` +
        (dryRun ? '\n' : `, ${r.customerIds.length} tombstone(s) queued; audit request hash ${r.requestHash}\n`),
    );
    if (!dryRun && r.customerIds.length) process.stderr.write(`${QUEUED_NOTE}\n`);
  } finally {
    await store.close();
  }
  return 0;
}

async function replayCommand(values: Record<string, unknown>): Promise<number> {
  const cfg = config(values);
  const since = instant(values, 'since');
  const until = instant(values, 'until');
  if (since >= until) fail('--since must be before --until', 64);
  const store = openStore(cfg);
  const log = createLogger({ level: cfg.log.level, destination: 2 });
  try {
    const dryRun = Boolean(values['dry-run']);
    const c = await replay(
      { store, pipeline: new Pipeline(cfg, store, log), topic: cfg.topics.leads, log },
      { since, until, ...(values.dealer ? { dealerId: values.dealer as string } : {}), dryRun },
    );
    process.stdout.write(
      `${dryRun ? 'dry run: ' : ''}examined ${c.examined} input(s): ${c.unchanged} lead(s) unchanged, ${c.corrected} corrected, ${c.recovered} rejected input(s) recovered ` +
        `(${c.added} new lead(s)), ${c.stillRejected} still rejected, ${c.lost} lead(s) no longer read (not retracted), ${c.noBaseline} without a baseline, ${c.failed} failed\n`,
    );
    if (!dryRun && c.corrected + c.added > 0) process.stderr.write(`${QUEUED_NOTE}\n`);
    return c.failed > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        config: { type: 'string' },
        country: { type: 'string' },
        adapter: { type: 'string' },
        form: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        limit: { type: 'string' },
        'older-than': { type: 'string' },
        'dry-run': { type: 'boolean' },
        email: { type: 'string', multiple: true },
        phone: { type: 'string', multiple: true },
        dealer: { type: 'string' },
        yes: { type: 'boolean' },
        generate: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    fail(`${(err as Error).message} (see leadgate --help)`, 64);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(HELP);
    return command || values.help ? 0 : 64;
  }
  if (values.port !== undefined && !/^\d+$/.test(values.port)) fail(`--port must be a number, got "${values.port}"`, 64);
  switch (command) {
    case 'serve':
      await serve(values);
      return -1;
    case 'parse':
      return parseFiles(rest, values);
    case 'rejected':
      await listRejected(values);
      return 0;
    case 'raw':
      return showRaw(rest[0], values);
    case 'purge':
      return purge(values);
    case 'erase':
      return erase(values);
    case 'replay':
      return replayCommand(values);
    case 'hash-secret':
      return hashSecret(values);
    default:
      fail(`unknown command "${command}" (see leadgate --help)`, 64);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`leadgate: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
