// The embedded sink: one append-only NDJSON file per topic under <dataDir>/events, fsynced before the relay marks events sent.
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sink } from '../sink.js';
import type { OutboxEvent } from '../store.js';

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
      fh = await open(this.pathOf(topic), 'a');
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
      await fh.appendFile(lines.join('\n') + '\n');
      // At-least-once: an event is only "sent" once it is on disk; a crash before markSent re-appends it (same CloudEvents id).
      await fh.datasync();
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
