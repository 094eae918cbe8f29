// Turns the measured figures into bench/results/latest.json and a markdown table with the goals marked PASS/MISS.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from './setup.js';
import { ROOT } from './setup.js';
import { round, type Figure } from './stats.js';

/** What each JSON key means, in table order. */
export const FIGURES: Array<{ key: string; label: string; unit: string }> = [
  { key: 'floorA_rps', label: 'floor A: raw node:http, read body, 200', unit: 'req/s' },
  { key: 'floorB_docs_per_s', label: 'floor B: fast-xml-parser alone, real-leads corpus', unit: 'docs/s' },
  { key: 'alternative_rps', label: 'alternative: Express + xml2js + kafkajs send', unit: 'req/s' },
  { key: 'parse_leads_per_s', label: 'leadgate parse + normalize, one core', unit: 'leads/s' },
  { key: 'parse_p99_us', label: 'leadgate parse + normalize p99', unit: 'µs' },
  { key: 'e2e_rps', label: 'leadgate HTTP → durable commit → Kafka, 50 conns', unit: 'leads/s' },
  { key: 'e2e_p50_ms', label: 'leadgate HTTP p50 at 50 conns (saturated)', unit: 'ms' },
  { key: 'e2e_p99_ms', label: 'leadgate HTTP p99 at 50 conns (saturated)', unit: 'ms' },
  { key: 'e2e_filelog_rps', label: 'leadgate HTTP → durable commit → file log', unit: 'leads/s' },
  { key: 'http_p50_ms_80pct', label: 'leadgate HTTP p50 at 80% of e2e_rps', unit: 'ms' },
  { key: 'http_p99_ms_80pct', label: 'leadgate HTTP p99 at 80% of e2e_rps', unit: 'ms' },
  { key: 'visible_p50_ms', label: 'accept → consumer-visible p50 at 80%', unit: 'ms' },
  { key: 'visible_p99_ms', label: 'accept → consumer-visible p99 at 80%', unit: 'ms' },
  { key: 'visible_p50_ms_10pct', label: 'accept → consumer-visible p50 at 10%', unit: 'ms' },
  { key: 'visible_p99_ms_10pct', label: 'accept → consumer-visible p99 at 10%', unit: 'ms' },
  { key: 'e2e_cpu_us_per_lead', label: 'server CPU per lead at 50 conns (saturated)', unit: 'µs' },
  { key: 'cpu_us_per_lead_80pct', label: 'server CPU per lead at 80% of e2e_rps', unit: 'µs' },
  { key: 'cpu_us_per_lead_10pct', label: 'server CPU per lead at 10% of e2e_rps', unit: 'µs' },
  { key: 'server_busy_pct_80pct', label: 'server core busy at 80% of e2e_rps', unit: '%' },
  { key: 'commits_over_25ms_pct_80pct', label: 'inputs the server took > 25 ms to commit at 80% (its /metrics)', unit: '%' },
  { key: 'rss_mb', label: 'server RSS at steady load', unit: 'MB' },
  { key: 'rss_growth_mb', label: 'server RSS growth over the long run', unit: 'MB' },
  { key: 'smtp_to_event_p50_ms', label: 'SMTP end of DATA → event in the sink, p50', unit: 'ms' },
  { key: 'smtp_to_event_p99_ms', label: 'SMTP end of DATA → event in the sink, p99', unit: 'ms' },
  { key: 'imap_to_event_p50_ms', label: 'IMAP APPEND → event in the sink (IDLE), p50', unit: 'ms' },
  { key: 'imap_to_event_p99_ms', label: 'IMAP APPEND → event in the sink (IDLE), p99', unit: 'ms' },
  { key: 'parse_vs_floorB', label: 'parse + normalize / floor B', unit: '×' },
  { key: 'e2e_vs_floorA', label: 'e2e / floor A', unit: '×' },
  { key: 'e2e_vs_alternative', label: 'e2e / alternative', unit: '×' },
];

export interface Goal {
  goal: string;
  pass: boolean;
  measured: string;
}

/** RSS growth below this is GC and allocator noise, not a leak. */
export const RSS_GROWTH_TOLERANCE_MB = 20;

export function goals(f: Record<string, Figure>, longRunLeads: number): Goal[] {
  const m = (k: string) => f[k]?.median ?? NaN;
  const fmt = (k: string) => `${round(m(k))}`;
  return [
    { goal: 'parse + normalize ≥ 2× floor B (per core)', pass: m('parse_vs_floorB') >= 2, measured: `${fmt('parse_vs_floorB')}×` },
    {
      goal: 'HTTP e2e (durable) ≥ 20% of floor A, p99 ≤ 25 ms at 80% load',
      pass: m('e2e_vs_floorA') >= 0.2 && m('http_p99_ms_80pct') <= 25,
      measured: `${round(m('e2e_vs_floorA') * 100)}%, p99 ${fmt('http_p99_ms_80pct')} ms`,
    },
    { goal: 'HTTP e2e ≥ 3× the alternative', pass: m('e2e_vs_alternative') >= 3, measured: `${fmt('e2e_vs_alternative')}×` },
    { goal: 'accept → consumer-visible p99 ≤ 50 ms at 80% load', pass: m('visible_p99_ms') <= 50, measured: `${fmt('visible_p99_ms')} ms` },
    { goal: 'steady RSS ≤ 200 MB', pass: m('rss_mb') <= 200, measured: `${fmt('rss_mb')} MB` },
    {
      goal: `no RSS growth over ${longRunLeads.toLocaleString('en-US')} leads (≤ ${RSS_GROWTH_TOLERANCE_MB} MB)`,
      pass: m('rss_growth_mb') <= RSS_GROWTH_TOLERANCE_MB,
      measured: `${fmt('rss_growth_mb')} MB`,
    },
    { goal: 'SMTP DATA → event p99 < 100 ms', pass: m('smtp_to_event_p99_ms') < 100, measured: `${fmt('smtp_to_event_p99_ms')} ms` },
    { goal: 'IMAP APPEND → event p99 < 1 s (IDLE)', pass: m('imap_to_event_p99_ms') < 1000, measured: `${fmt('imap_to_event_p99_ms')} ms` },
  ];
}

export function markdown(f: Record<string, Figure>, g: Goal[], machine: Machine, mode: string): string {
  const lines = [
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Linux ${machine.kernel}, Node ${machine.node}, ${machine.wrk.split(' Copyright')[0]}; ${mode} run, ${machine.date.slice(0, 16).replace('T', ' ')} UTC; cores busy before the run: ${machine.busyBeforePct.map((p) => `${p}%`).join(', ') || 'unknown'}.`,
    '',
    '| figure | key | median | min – max | runs |',
    '|---|---|---:|---:|---:|',
  ];
  for (const { key, label, unit } of FIGURES) {
    const x = f[key];
    if (!x) continue;
    lines.push(`| ${label} | \`${key}\` | ${round(x.median)} ${unit} | ${round(x.min)} – ${round(x.max)} | ${x.runs.length} |`);
  }
  lines.push('', '| goal | measured | |', '|---|---:|---|');
  for (const x of g) lines.push(`| ${x.goal} | ${x.measured} | ${x.pass ? 'PASS' : 'MISS'} |`);
  return lines.join('\n') + '\n';
}

export function write(json: unknown, md: string): { json: string; md: string } {
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const files = { json: join(dir, 'latest.json'), md: join(dir, 'latest.md') };
  writeFileSync(files.json, JSON.stringify(json, null, 2) + '\n');
  writeFileSync(files.md, md);
  return files;
}
