/**
 * Wildcard patterns (`*` matches zero or more characters; `\*` and `\\` are escapes), validated
 * with event-ruler's messages, plus a complexity check approximating event-ruler's
 * `MachineComplexityEvaluator` ("Rule is too complex ...").
 */

/** A wildcard pattern split on its unescaped `*` characters. */
export interface WildcardPattern {
  /** Literal pieces between the stars; `parts.length === stars + 1`. */
  parts: string[];
}

export type WildcardParse = { ok: true; pattern: WildcardPattern } | { ok: false; message: string };

/** event-ruler's complexity limit as observed on EventBridge (see `wildcardComplexity`). */
export const WILDCARD_COMPLEXITY_LIMIT = 10;

export const TOO_COMPLEX_MESSAGE =
  "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character";

/**
 * Validate and split a wildcard pattern. Error positions count UTF-8 bytes of the value as
 * event-ruler sees it, i.e. with its opening double quote (so the first character is at pos 1).
 */
export function parseWildcard(value: string): WildcardParse {
  const parts: string[] = [];
  let cur = "";
  let bytePos = 1; // event-ruler parses the quoted form: `"` + value + `"`
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === "*") {
      if (value[i + 1] === "*")
        return { ok: false, message: `Consecutive wildcard characters at pos ${bytePos}` };
      parts.push(cur);
      cur = "";
    } else if (ch === "\\") {
      const next = value[i + 1];
      if (next === "*" || next === "\\") {
        cur += next;
        i++;
        bytePos += 2;
        continue;
      }
      return { ok: false, message: `Invalid escape character at pos ${bytePos}` };
    } else {
      cur += ch;
    }
    bytePos += utf8Length(value.charCodeAt(i));
  }
  parts.push(cur);
  return { ok: true, pattern: { parts } };
}

function utf8Length(code: number): number {
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code >= 0xd800 && code <= 0xdfff) return 2; // half of a surrogate pair (4 bytes in total)
  return 3;
}

/** Build a matcher for a parsed wildcard pattern. */
export function wildcardMatcher(p: WildcardPattern): (s: string) => boolean {
  const parts = p.parts;
  if (parts.length === 1) {
    const only = parts[0]!;
    return (s) => s === only;
  }
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((x) => x.length > 0);
  const minLen = parts.reduce((n, x) => n + x.length, 0);
  return (s) => {
    if (s.length < minLen || !s.startsWith(first) || !s.endsWith(last)) return false;
    let pos = first.length;
    const end = s.length - last.length;
    for (let i = 0; i < middle.length; i++) {
      const m = middle[i]!;
      const at = s.indexOf(m, pos);
      if (at === -1 || at + m.length > end) return false;
      pos = at + m.length;
    }
    return true;
  };
}

/**
 * Worst-case number of simultaneously active automaton states for the wildcard patterns of one
 * field (run in parallel), capped just above the limit. Literal bytes and the enclosing quotes
 * count as states, as in event-ruler's byte machine. The exact event-ruler metric is internal;
 * this approximation accepts every wildcard pattern the conformance corpus records as valid and
 * rejects the one recorded as too complex.
 */
export function wildcardComplexity(patterns: WildcardPattern[], limit = WILDCARD_COMPLEXITY_LIMIT): number {
  // Token sequences: a string char code, or -1 for a star.
  const seqs: number[][] = patterns.map((p) => {
    const seq: number[] = [34];
    p.parts.forEach((part, idx) => {
      if (idx > 0) seq.push(-1);
      for (let i = 0; i < part.length; i++) seq.push(part.charCodeAt(i));
    });
    seq.push(34);
    return seq;
  });
  if (!seqs.some((s) => s.includes(-1))) return 0;
  const alphabet = new Set<number>([0]);
  for (const s of seqs) for (const c of s) if (c >= 0) alphabet.add(c);
  // State = pattern index * 65536 + position.
  const closure = (states: number[]): number[] => {
    const out = new Set<number>();
    const stack = [...states];
    while (stack.length > 0) {
      const st = stack.pop()!;
      if (out.has(st)) continue;
      out.add(st);
      const seq = seqs[Math.floor(st / 65536)]!;
      const pos = st % 65536;
      if (seq[pos] === -1) stack.push(st + 1);
    }
    return [...out].sort((a, b) => a - b);
  };
  const start = closure(seqs.map((_, i) => i * 65536));
  const seen = new Set<string>();
  const queue: number[][] = [start];
  let max = 0;
  let explored = 0;
  while (queue.length > 0 && explored < 20000) {
    const set = queue.pop()!;
    const key = set.join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    explored++;
    let active = 0;
    for (const st of set) if (st % 65536 < seqs[Math.floor(st / 65536)]!.length) active++;
    if (active > max) max = active;
    if (max > limit) return max;
    for (const b of alphabet) {
      const next: number[] = [];
      for (const st of set) {
        const seq = seqs[Math.floor(st / 65536)]!;
        const pos = st % 65536;
        if (pos >= seq.length) continue;
        const tok = seq[pos];
        if (tok === -1) next.push(st);
        else if (tok === b) next.push(st + 1);
      }
      if (next.length > 0) queue.push(closure(next));
    }
  }
  return max;
}
