/**
 * Age series of `lag`: one datapoint per period (when, and the age in ms), the window they cover, and
 * what the verdict and the report read from them: order, latest point, maximum, the rising trend and
 * the TREND sparkline. Pure; "now" is always an argument.
 */

/** One datapoint of an age series: when (epoch ms, start of the period) and the age in ms. */
export interface SeriesPoint {
  t: number;
  ms: number;
}

/** The metrics window: `[startMs, endMs)` in periods of `periodMs`. */
export interface LagWindow {
  startMs: number;
  endMs: number;
  periodMs: number;
}

/** The series in time order, one point per timestamp (the larger age wins a duplicate). */
export function sortSeries(points: readonly SeriesPoint[]): SeriesPoint[] {
  const byT = new Map<number, number>();
  for (const p of points) {
    if (!Number.isFinite(p.t) || !Number.isFinite(p.ms)) continue;
    const prev = byT.get(p.t);
    byT.set(p.t, prev === undefined ? p.ms : Math.max(prev, p.ms));
  }
  return [...byT.entries()].sort((a, b) => a[0] - b[0]).map(([t, ms]) => ({ t, ms }));
}

/** The newest datapoint, or undefined for an empty series. */
export function latestPoint(series: readonly SeriesPoint[]): SeriesPoint | undefined {
  let best: SeriesPoint | undefined;
  for (const p of series) if (!best || p.t > best.t) best = p;
  return best;
}

/** The largest age in the series, or undefined for an empty series. */
export function windowMax(series: readonly SeriesPoint[]): number | undefined {
  let max: number | undefined;
  for (const p of series) if (max === undefined || p.ms > max) max = p.ms;
  return max;
}

/**
 * True when the age rose across the whole window: at least three datapoints, each strictly larger
 * than the one before, spanning at least half the window. A consumer whose lag only grows is
 * falling behind even while it is under the thresholds (Burrow's "lag increasing in every window").
 */
export function risesAcrossWindow(series: readonly SeriesPoint[], window: LagWindow): boolean {
  const s = sortSeries(series);
  if (s.length < 3) return false;
  for (let i = 1; i < s.length; i++) {
    if ((s[i] as SeriesPoint).ms <= (s[i - 1] as SeriesPoint).ms) return false;
  }
  const span = (s[s.length - 1] as SeriesPoint).t - (s[0] as SeriesPoint).t;
  return span >= (window.endMs - window.startMs) / 2;
}

const BARS = "▁▂▃▄▅▆▇█";

/**
 * A small sparkline of the series over the window, one character per period (periods are merged,
 * keeping their maximum, when there are more than `maxWidth`). Heights are relative to the window
 * maximum, from 0; a period without a datapoint is `·`. Empty string for an empty series.
 */
export function sparkline(series: readonly SeriesPoint[], window: LagWindow, maxWidth = 20): string {
  if (series.length === 0 || window.periodMs <= 0 || maxWidth < 1) return "";
  const period = window.periodMs;
  const aligned = Math.floor(window.startMs / 60_000) * 60_000;
  const buckets = Math.max(1, Math.ceil((window.endMs - aligned) / period));
  const group = Math.ceil(buckets / maxWidth);
  const width = Math.ceil(buckets / group);
  const cells: Array<number | undefined> = new Array<number | undefined>(width).fill(undefined);
  for (const p of series) {
    const b = Math.floor((p.t - aligned) / period);
    if (b < 0 || b >= buckets) continue;
    const c = Math.floor(b / group);
    const prev = cells[c];
    cells[c] = prev === undefined ? p.ms : Math.max(prev, p.ms);
  }
  const hi = Math.max(0, ...cells.filter((v): v is number => v !== undefined));
  return cells
    .map((v) => {
      if (v === undefined) return "·";
      if (hi <= 0) return BARS[0];
      return BARS[Math.min(7, Math.max(0, Math.round((v / hi) * 7)))];
    })
    .join("");
}
