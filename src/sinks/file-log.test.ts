// The file-log sink keeps one event per line, even after a crash left half a line behind.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLogSink } from './file-log.js';

const event = (seq: number) => ({ seq, id: `e${seq}`, topic: 'leads', key: 'c1', value: JSON.stringify({ id: `e${seq}` }), headers: {} });

describe('FileLogSink', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('appends one event per line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-filelog-'));
    dirs.push(dir);
    const sink = new FileLogSink(dir);
    await sink.send([event(1), event(2)]);
    await sink.send([event(3)]);
    await sink.close();
    const lines = readFileSync(sink.pathOf('leads'), 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).id)).toEqual(['e1', 'e2', 'e3']);
  });

  it('drops the fragment a crash left mid-append, so the re-sent events start on a fresh line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-filelog-'));
    dirs.push(dir);
    const sink = new FileLogSink(dir);
    writeFileSync(sink.pathOf('leads'), `${event(1).value}\n{"id":"e2","tru`);
    await sink.send([event(2), event(3)]);
    await sink.close();
    const lines = readFileSync(sink.pathOf('leads'), 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).id)).toEqual(['e1', 'e2', 'e3']);
  });

  it('drops a file that is nothing but a fragment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-filelog-'));
    dirs.push(dir);
    const sink = new FileLogSink(dir);
    writeFileSync(sink.pathOf('leads'), '{"id":"e1","tru');
    await sink.send([event(1)]);
    await sink.close();
    expect(readFileSync(sink.pathOf('leads'), 'utf8')).toBe(`${event(1).value}\n`);
  });
});
