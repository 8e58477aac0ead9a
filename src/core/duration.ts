/**
 * Durations and times as users type them: `500ms`, `30s`, `15m`, `2h`, `1d`, `1h30m`, a bare number
 * of seconds, or an ISO-8601 time for --from/--until.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/** Parses a duration into milliseconds, or returns undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (t === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  PART.lastIndex = 0;
  let total = 0;
  let pos = 0;
  for (;;) {
    const m = PART.exec(t);
    if (!m) break;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? Number.NaN);
    pos = PART.lastIndex;
  }
  if (pos !== t.length || !Number.isFinite(total)) return undefined;
  return Math.round(total);
}

/** Formats milliseconds compactly for humans: `850ms`, `12s`, `4m05s`, `3h12m`, `2d4h`. */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, "0")}m`;
  const d = Math.floor(h / 24);
  return `${d}d${h % 24}h`;
}

const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Parses a point in time: an ISO-8601 time (`2026-11-25T10:00:00Z`; a time without zone is UTC)
 * or a duration meaning "that long before now" (`15m`). Returns epoch ms, or undefined.
 */
export function parseTimeOrAgo(text: string, nowMs: number): number | undefined {
  const t = text.trim();
  if (ISO.test(t)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(t) && t.length > 10;
    const ms = Date.parse(hasZone || t.length === 10 ? t : `${t}Z`);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const d = parseDuration(t);
  return d === undefined ? undefined : nowMs - d;
}
