// Prometheus metrics by hand (a few counters and gauges do not justify a dependency): what an on-call engineer needs to see leads flowing.
type Labels = Record<string, string>;

function key(labels: Labels): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
    .join(',');
}

class Counter {
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

export class Metrics {
  readonly leads = new Counter('leadgate_leads_total', 'Leads committed, by outcome (received, duplicate) and channel.');
  readonly rejected = new Counter('leadgate_inputs_rejected_total', 'Inputs that held no lead, by error code.');
  readonly errors = new Counter('leadgate_errors_total', 'Inputs that failed for a transient reason or a bug, by error code.');
  /** Gauges read at scrape time. */
  private readonly gauges: Array<{ name: string; help: string; read: () => Promise<number> | number }> = [];

  gauge(name: string, help: string, read: () => Promise<number> | number): void {
    this.gauges.push({ name, help, read });
  }

  async render(): Promise<string> {
    const parts = [this.leads.render(), this.rejected.render(), this.errors.render()];
    for (const g of this.gauges) {
      let v: number;
      try {
        v = await g.read();
      } catch {
        v = NaN;
      }
      parts.push(`# HELP ${g.name} ${g.help}\n# TYPE ${g.name} gauge\n${g.name} ${v}`);
    }
    return parts.join('\n') + '\n';
  }
}
