// The embedded sink: one append-only NDJSON file per topic under <dataDir>/events, fsynced before the relay marks events sent.
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sink } from '../sink.js';
import type { OutboxEvent } from '../store.js';

/**
 * A crash in the middle of an append leaves a line without its newline. Those events were never
 * marked sent, so the relay appends them again: drop the fragment so every line stays one event.
 */
async function dropPartialLine(fh: FileHandle): Promise<void> {
  const { size } = await fh.stat();
  if (size === 0) return;
  const tail = Buffer.alloc(Math.min(size, 1 << 20));
  await fh.read(tail, 0, tail.length, size - tail.length);
  if (tail[tail.length - 1] === 0x0a) return;
  const lastNewline = tail.lastIndexOf(0x0a);
  // No newline in the last MiB: the whole tail is one fragment (or the file is one fragment).
  await fh.truncate(lastNewline === -1 ? Math.max(0, size - tail.length) : size - tail.length + lastNewline + 1);
}

export class FileLogSink implements Sink {
  readonly name = 'file-log';
  private readonly files = new Map<string, FileHandle>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Where a topic's events are appended. */
  pathOf(topic: string): string {
    return join(this.dir, `${topic}.ndjson`);
  }

  private async handle(topic: string): Promise<FileHandle> {
    let fh = this.files.get(topic);
    if (!fh) {
      fh = await open(this.pathOf(topic), 'a+');
      await dropPartialLine(fh);
      this.files.set(topic, fh);
    }
    return fh;
  }

  async send(events: OutboxEvent[]): Promise<void> {
    const byTopic = new Map<string, string[]>();
    for (const e of events) {
      const lines = byTopic.get(e.topic) ?? [];
      lines.push(e.value);
      byTopic.set(e.topic, lines);
    }
    for (const [topic, lines] of byTopic) {
      const fh = await this.handle(topic);
      const { size } = await fh.stat();
      try {
        await fh.appendFile(lines.join('\n') + '\n');
        // At-least-once: an event is only "sent" once it is on disk; a crash before markSent re-appends it (same CloudEvents id).
        await fh.datasync();
      } catch (err) {
        // A full disk can leave half a line; cut it off so the retried events start on a fresh line.
        await fh.truncate(size).catch(() => undefined);
        throw err;
      }
    }
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    for (const fh of this.files.values()) await fh.close();
    this.files.clear();
  }
}
