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

const HELP = `leadgate — the front door for a dealership's sales leads

Usage:
  leadgate serve [--port N] [--host ADDR] [--data-dir DIR] [--config FILE]
      Run the gateway. With no configuration it listens on 127.0.0.1:8080, keeps its
      database in ./data and writes events to ./data/events/*.ndjson.
      Set KAFKA_BROKERS=host:9092,... to publish to Kafka instead.

  leadgate parse [--country CC] [--adapter NAME] FILE...
      Print one normalized Lead (JSON) per line for each ADF or STAR file.
      Exits 2 when a file holds no lead (the reason goes to stderr).

  leadgate rejected [--data-dir DIR] [--since ISO] [--until ISO] [--limit N]
      List archived inputs that held no lead (id, time, code, reason).

  leadgate raw ID [--data-dir DIR]
      Write the archived bytes of one input (accepted or rejected) to stdout.

Options:
  --config FILE   JSON configuration file (also LEADGATE_CONFIG)
  -h, --help      Show this help

Environment: LEADGATE_HOST, LEADGATE_PORT, LEADGATE_DATA_DIR, LEADGATE_LOG_LEVEL,
LEADGATE_DEDUPE_WINDOW_DAYS, KAFKA_BROKERS, KAFKA_CLIENT_ID, KAFKA_SSL, KAFKA_SASL_* (see README).
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
      const prepared = await pipeline.prepare({
        bytes,
        contentType: contentTypeFor(file),
        transport: 'file',
        receivedAt: new Date().toISOString(),
        ...(values.adapter ? { adapter: values.adapter as string } : {}),
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
  process.stdout.write(input.bytes);
  return 0;
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
        since: { type: 'string' },
        until: { type: 'string' },
        limit: { type: 'string' },
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
