/**
 * `tail --input <file|->`: stream records from a file or stdin. NDJSON (one record, Lambda event,
 * tail output line or array per line) is read line by line in bounded memory; a single JSON document
 * spread over several lines (a JSON array, a pretty-printed Lambda event) is read whole. Shapes are
 * those of `normalizeInput` in core/record.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { InputRecord, StreamRecord } from "../core/record.js";
import { normalizeInput, parseRecordText } from "../core/record.js";
import { UsageError } from "../errors.js";
import { strictUtf8Decoder } from "./utf8.js";

/** Where records come from: a file path, or `-` with the process's stdin. */
export type InputSource = { path: string } | { stdin: AsyncIterable<Buffer | string> };

/** Most characters kept of a document that spans several lines (a JSON array or a pretty event). */
export const MAX_DOCUMENT_CHARS = 512 * 1024 * 1024;

/** The error of a bad input (exit 2), with the hint every such error has. */
export function bad(message: string): UsageError {
  return new UsageError(
    `--input: ${message}`,
    'expected NDJSON of stream records (SDK or Lambda shape, or tail --output json lines), a JSON array of them, or a Lambda event {"Records":[...]}',
  );
}

/** Bytes read from a file at a time: fewer, larger reads and string conversions. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Records handed over per batch: small enough that a batch's parsed records are rendered and dropped
 * while still young (they die in the next scavenge instead of being promoted), large enough that the
 * async iteration costs nothing per record.
 */
const BATCH_RECORDS = 32;

/** The error of an input that is not UTF-8. */
export function notUtf8(label: string): UsageError {
  return new UsageError(
    `--input: ${label} is not valid UTF-8 text`,
    "save it as UTF-8 (JSON is UTF-8), e.g. iconv -f latin1 -t utf-8",
  );
}

/** Decodes UTF-8 strictly: bytes that are not UTF-8 are an error, never silently U+FFFD. */
function utf8Decoder(label: string): (chunk: Buffer | string | undefined) => string {
  const decode = strictUtf8Decoder();
  return (chunk) => {
    if (typeof chunk === "string") return chunk;
    const text = decode(chunk ?? EMPTY, chunk === undefined);
    if (text === undefined) throw notUtf8(label);
    return text;
  };
}

const EMPTY = new Uint8Array(0);

async function* chunksOf(source: InputSource): AsyncGenerator<string> {
  if ("stdin" in source) {
    const decode = utf8Decoder("stdin");
    for await (const c of source.stdin) yield decode(c);
    yield decode(undefined);
    return;
  }
  try {
    const st = await stat(source.path);
    if (st.isDirectory()) throw bad(`${source.path} is a directory`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(
      `cannot read --input ${source.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      "pass a readable file, or - for stdin",
      e,
    );
  }
  const decode = utf8Decoder(source.path);
  for await (const c of createReadStream(source.path, { highWaterMark: CHUNK_BYTES }))
    yield decode(c as Buffer);
  yield decode(undefined);
}

/** A line's JSON value, or the parser's message. */
export type LineParse = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses one line (or document) of the input. */
export function parses(s: string): LineParse {
  try {
    return { ok: true, value: JSON.parse(s) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Whether `c` could be a character `String.prototype.trim` removes (those are all ≤ U+0020 or
 * ≥ U+00A0): only such a line needs the allocating trim to tell whether it is blank.
 */
function mayBeSpace(c: number): boolean {
  return c <= 32 || c >= 0xa0;
}

/** Whether a line (its CR already cut) holds nothing but white space: it is skipped. */
export function isBlankLine(line: string): boolean {
  return line.length === 0 || (mayBeSpace(line.charCodeAt(0)) && line.trim() === "");
}

/**
 * The records of one NDJSON line, parsed, added to `out`; returns how many. Throws the UsageError
 * (exit 2) naming line `lineNo` for invalid JSON or a value that holds no stream record.
 */
export function addLineRecords(p: LineParse, lineNo: number, out: InputRecord[]): number {
  if (!p.ok) throw bad(`line ${lineNo}: invalid JSON: ${p.error}`);
  const r = normalizeInput(p.value, `line ${lineNo}`);
  if (!r.ok) throw bad(r.error);
  addWithOrigin(p.value, r.records, out);
  return r.records.length;
}

function addWithOrigin(value: unknown, records: StreamRecord[], out: InputRecord[]): void {
  const o = value as Record<string, unknown> | null;
  if (o && typeof o === "object" && !Array.isArray(o) && o.type === "record") {
    const str = (k: string): string | undefined => (typeof o[k] === "string" ? (o[k] as string) : undefined);
    for (const record of records)
      out.push({ record, shardId: str("shardId"), table: str("table"), streamArn: str("streamArn") });
    return;
  }
  for (const record of records) out.push({ record });
}

/**
 * The records of the input, in order. Throws UsageError (exit 2) naming the line for a wrong shape or
 * invalid JSON; an input without any record is an error too.
 */
export async function* readInputRecords(source: InputSource): AsyncGenerator<InputRecord> {
  for await (const batch of readInputBatches(source)) yield* batch;
}

/**
 * {@link readInputRecords} in batches of about {@link BATCH_RECORDS} (never empty): the form for hot
 * loops, which then pay the async iteration once per batch rather than per record.
 */
export async function* readInputBatches(source: InputSource): AsyncGenerator<InputRecord[]> {
  let lineNo = 0;
  let mode = "unknown" as "unknown" | "ndjson" | "document";
  let doc = "";
  let count = 0;
  let first = true;
  let batch: InputRecord[] = [];

  function handleLine(raw: string): void {
    lineNo++;
    let line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (first) {
      if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      first = false;
    }
    if (mode === "document") {
      doc += `${line}\n`;
      if (doc.length > MAX_DOCUMENT_CHARS) throw bad("document too large to read whole; use NDJSON");
      return;
    }
    if (isBlankLine(line)) return;
    const p = parses(line);
    if (mode === "unknown") {
      if (!p.ok) {
        // Not a JSON value on one line: a pretty-printed document; read it whole.
        mode = "document";
        doc = `${line}\n`;
        return;
      }
      mode = "ndjson";
    }
    count += addLineRecords(p, lineNo, batch);
  }

  let carry = ""; // the unfinished last line of the chunks so far
  try {
    yield* linesOf();
  } catch (e) {
    // The records before the failing line are handed over first, as they were read.
    if (batch.length > 0) yield batch;
    throw e;
  }
  if (mode === "document") {
    const r = parseRecordText(doc);
    if (!r.ok) throw bad(r.error);
    const whole = parses(doc);
    addWithOrigin(whole.ok ? whole.value : undefined, r.records, batch);
    count += r.records.length;
    if (batch.length > 0) yield batch;
  }
  if (count === 0 && mode === "unknown") throw bad("no records: the input is empty");

  async function* linesOf(): AsyncGenerator<InputRecord[]> {
    for await (const chunk of chunksOf(source)) {
      let start = 0;
      let nl = chunk.indexOf("\n");
      if (nl >= 0 && carry !== "") {
        const line = carry + chunk.slice(0, nl);
        carry = "";
        handleLine(line);
        start = nl + 1;
        nl = chunk.indexOf("\n", start);
      }
      while (nl >= 0) {
        handleLine(chunk.slice(start, nl));
        start = nl + 1;
        nl = chunk.indexOf("\n", start);
        if (batch.length >= BATCH_RECORDS) {
          yield batch;
          batch = [];
        }
      }
      carry += chunk.slice(start);
      if (mode !== "document" && carry.length > MAX_DOCUMENT_CHARS)
        throw bad(`line ${lineNo + 1} is too long`);
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
    }
    if (carry !== "") handleLine(carry);
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
}
