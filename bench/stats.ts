// Small statistics for the harness: medians with min–max over runs, percentiles over samples.

/** One figure over several runs: the median, with the spread and every run kept. */
export interface Figure {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function figure(runs: number[]): Figure {
  const ok = runs.filter((x) => Number.isFinite(x));
  if (ok.length === 0) return { median: NaN, min: NaN, max: NaN, runs };
  return { median: median(ok), min: Math.min(...ok), max: Math.max(...ok), runs };
}

/** Per-run ratios a[i] / b[i]: runs were interleaved, so each pair saw the same machine weather. */
export function ratio(a: number[], b: number[]): Figure {
  return figure(a.map((x, i) => x / b[i]));
}

/** Nearest-rank percentile of an unsorted sample (p in 0..100). */
export function percentile(xs: ArrayLike<number>, p: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs as ArrayLike<number>).sort();
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank];
}

/** Round for display: whole numbers from 100 up, otherwise 3 significant digits. */
export function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  return Math.abs(x) >= 100 ? Math.round(x) : Number(x.toPrecision(3));
}
