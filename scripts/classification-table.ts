// Prints the measured source classification (provider, sub-source, party, lead type) of every file in the repo's fixture corpora as a markdown table: `npx tsx scripts/classification-table.ts [--json | --write-readme]`.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { LeadgateError } from '../src/errors.js';
import type { RawInput } from '../src/input.js';
import { silentLogger } from '../src/log.js';
import { Pipeline } from '../src/pipeline/index.js';

export interface ClassificationRow {
  file: string;
  provider: string;
  subSource: string;
  party: string;
  leadType: string;
  /** The signal that chose the provider (and its rule), e.g. "provider.name → adapter:cargurus". */
  decidedBy: string;
}

const ROOT = new URL('../', import.meta.url);
const CONTENT_TYPES: Record<string, string> = { '.xml': 'application/xml', '.eml': 'message/rfc822', '.txt': 'message/rfc822', '.json': 'application/json' };
/** Not inputs: expected outputs, provenance notes, generators. */
const NOT_INPUT = /\.expected\.json$|\.meta\.json$|\.(md|ts|js|mjs)$|^\./;

const isDir = (rel: string) => statSync(new URL(rel, ROOT)).isDirectory();

/** Every input file in the corpora: each folder under fixtures/ (real-leads, emails, hostile …) and each adapter's fixtures. */
export function corpusFiles(): string[] {
  const out: string[] = [];
  const add = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(new URL(dir, ROOT));
    } catch {
      return;
    }
    for (const n of names.sort()) {
      if (!NOT_INPUT.test(n) && !isDir(`${dir}${n}`)) out.push(`${dir}${n}`);
    }
  };
  // The real leads first (what the table is read for), then the email placements, then the other corpora (hostile inputs …).
  const first = ['real-leads', 'emails'];
  const others = readdirSync(new URL('fixtures/', ROOT)).filter((d) => !first.includes(d) && isDir(`fixtures/${d}`)).sort();
  for (const d of [...first, ...others]) add(`fixtures/${d}/`);
  for (const a of readdirSync(new URL('adapters/', ROOT)).sort()) if (isDir(`adapters/${a}`)) add(`adapters/${a}/fixtures/`);
  return out;
}

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
}

/** The RawInput a fixture arrives as: emails by SMTP, everything else by HTTP. */
export function rawInputOf(file: string): RawInput {
  const email = file.endsWith('.eml') || file.endsWith('.txt');
  return { bytes: readFileSync(new URL(file, ROOT)), contentType: contentTypeOf(file), transport: email ? 'smtp' : 'http', receivedAt: '2026-01-15T17:00:00.000Z' };
}

/** One row per lead (a file with several prospects gives several rows; a file with none, one "no lead" row). */
export async function classificationRows(files = corpusFiles()): Promise<ClassificationRow[]> {
  const pipeline = new Pipeline(loadConfig({ env: {} }), undefined, silentLogger);
  const rows: ClassificationRow[] = [];
  for (const file of files) {
    try {
      const leads = await pipeline.prepare(rawInputOf(file));
      for (const l of leads) {
        const by = l.classification.provider;
        rows.push({
          file: leads.length > 1 ? `${file}#${l.index}` : file,
          provider: l.source.provider,
          subSource: l.source.subSource ?? '',
          party: l.party,
          leadType: l.leadType,
          decidedBy: `${by.signal} → ${by.rule}`,
        });
      }
    } catch (err) {
      if (!(err instanceof LeadgateError)) throw err;
      rows.push({ file, provider: '', subSource: '', party: '', leadType: '', decidedBy: `no lead (${err.code})` });
    }
  }
  return rows;
}

export function markdownTable(rows: ClassificationRow[]): string {
  const cell = (s: string) => (s ? s.replace(/\|/g, '\\|') : '—');
  return [
    '| file | provider | subSource | party | leadType | provider decided by |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| \`${r.file}\` | ${cell(r.provider)} | ${cell(r.subSource)} | ${cell(r.party)} | ${cell(r.leadType)} | ${cell(r.decidedBy)} |`),
  ].join('\n');
}

const START = '<!-- classification-table:start -->';
const END = '<!-- classification-table:end -->';

/** README.md with the table between its markers replaced. */
export function withTable(readme: string, table: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} … ${END} block`);
  return `${readme.slice(0, a + START.length)}\n${table}\n${readme.slice(b)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await classificationRows();
  if (process.argv.includes('--write-readme')) {
    const file = new URL('README.md', ROOT);
    writeFileSync(file, withTable(readFileSync(file, 'utf8'), markdownTable(rows)));
  } else {
    process.stdout.write(`${process.argv.includes('--json') ? JSON.stringify(rows, null, 2) : markdownTable(rows)}\n`);
  }
}
