/**
 * A records document read whole (a JSON array, a pretty-printed Lambda event): its records, each with
 * the line it starts on, so that an error names the line of the bad record.
 */
import type { ValueBatch } from "./json-input.js";

/**
 * The values of a document read whole: a JSON array's elements, or a Lambda event's `Records`, each
 * with the line it starts on (so that an error names the line of the bad record, not the document's
 * first), else the document itself.
 */
export function documentValues(value: unknown, text: string, firstLine: number): ValueBatch {
  const records = (value as { Records?: unknown } | null)?.Records;
  const items = Array.isArray(value) ? value : Array.isArray(records) ? records : undefined;
  if (items === undefined) return { values: [value], lines: [firstLine] };
  const lines = elementLines(text, firstLine, !Array.isArray(value));
  return {
    values: items,
    lines: lines.length === items.length ? lines : items.map(() => firstLine),
  };
}

/**
 * The line each element of the document's array starts on: the top-level array's, or (`inRecords`)
 * that of the top-level object's `"Records"` member. A scan of the text that skips strings and counts
 * depth; `text` is valid JSON (JSON.parse took it).
 */
export function elementLines(text: string, firstLine: number, inRecords: boolean): number[] {
  const out: number[] = [];
  let line = firstLine;
  let depth = 0;
  let target = inRecords ? -1 : 1; // the depth of the array's elements, once its `[` is seen
  let expect = false; // the next token at `target` depth starts an element
  let lastString = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (c === 10 || c === 13 || c === 32 || c === 9) continue;
    if (expect && depth === target && c !== 93) {
      out.push(line);
      expect = false;
    }
    if (c === 34) {
      const start = ++i;
      while (text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 ? 2 : 1;
      lastString = text.slice(start, i);
    } else if (c === 123 || c === 91) {
      depth++;
      if (c === 91 && target === -1 && depth === 2 && lastString === "Records") target = 2;
      if (c === 91 && depth === target) expect = true;
    } else if (c === 125 || c === 93) {
      if (c === 93 && depth === target) target = 0; // the array ended
      depth--;
    } else if (c === 44 && depth === target) {
      expect = true;
    }
  }
  return out;
}
