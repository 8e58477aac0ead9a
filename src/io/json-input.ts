/**
 * JSON from files and stdin: pattern files (`--pattern @file`), FilterCriteria and case-suite
 * documents, and the one reader of records (`tail --input`, `filter-test --records`). Every problem
 * with an input is a UsageError (exit 2) saying which input and where: missing, a directory, empty,
 * not UTF-8 (with the byte offset and line), not JSON (with line and column).
 *
 * Records are streamed: NDJSON is read in 64 KiB chunks and parsed line by line in bounded memory; a
 * single JSON document spread over several lines (a JSON array, a pretty-printed Lambda event) is read
 * whole. Values are handed over parsed, with their line, in small batches; the callers normalise them.
 */
import { isAscii, isUtf8 } from "node:buffer";
import {
  closeSync,
  open,
  openSync,
  read,
  readFile,
  readFileSync,
  readSync,
  type Stats,
  statSync,
} from "node:fs";
import { promisify } from "node:util";
import { parseJson } from "../core/filter/parse.js";
import { UsageError } from "../errors.js";
import { documentValues } from "./json-document.js";

/** Largest document read whole (a JSON array or pretty-printed event), and longest NDJSON line. */
const MAX_DOCUMENT_CHARS = 512 * 1024 * 1024;

/** Largest text run through the positioned parser to find the line/column of a JSON error. */
const MAX_LOCATE_CHARS = 64 * 1024 * 1024;

/**
 * Bytes read at a time. A chunk's text is a string of its own: up to this size V8 makes it in the
 * young generation, where it dies cheaply; a 1 MiB string goes straight to the old generation, and a
 * large file's worth of them made a tail --input run spend 3x the time collecting garbage.
 */
const RECORDS_CHUNK_BYTES = 64 * 1024;

/** Chunks of a regular file read between two turns of the event loop (1 MiB). */
const YIELD_EVERY_CHUNKS = 16;

/**
 * Values per batch: small batches are evaluated and rendered while they are young, so the parsed
 * records die in the next scavenge instead of being copied and promoted.
 */
const BATCH_VALUES = 32;

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return code ?? (e as Error).message;
}

/**
 * The message of a JSON syntax error in `text`, with line and column: the positioned parser's
 * wording when the text is small enough, else JSON.parse's own message.
 */
function jsonErrorText(text: string, e: unknown): string {
  if (text.length <= MAX_LOCATE_CHARS) {
    const r = parseJson(text);
    if (!r.ok)
      return r.message.includes(" at line ")
        ? r.message
        : `${r.message} at line ${r.pos.line}, column ${r.pos.column}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * Offset of the first byte of `buf` that is not part of valid UTF-8, or -1. A sequence cut off at the
 * end counts as valid when `partialOk` (the next chunk may complete it). The decoder writes U+FFFD for
 * each bad sequence; one that stands for a real U+FFFD in the input (EF BF BD) is passed over.
 */
export function firstInvalidUtf8(buf: Uint8Array, partialOk = false): number {
  const text = new TextDecoder().decode(buf, { stream: partialOk });
  for (let i = text.indexOf("\ufffd"); i >= 0; i = text.indexOf("\ufffd", i + 1)) {
    const at = Buffer.byteLength(text.slice(0, i));
    if (buf[at] !== 0xef || buf[at + 1] !== 0xbf || buf[at + 2] !== 0xbd) return at;
  }
  return -1;
}

function countNewlines(buf: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (buf[i] === 10) n++;
  return n;
}

function notUtf8(label: string, buf: Uint8Array, at: number, byteBase: number, lineBase: number): UsageError {
  const line = lineBase + countNewlines(buf, at);
  return new UsageError(
    `${label} is not UTF-8 text: invalid byte 0x${(buf[at] ?? 0).toString(16).padStart(2, "0")} at byte offset ${byteBase + at} (line ${line})`,
    "save the file as UTF-8 (JSON is UTF-8); e.g. iconv -f latin1 -t utf-8",
  );
}

// The callback API, promisified: node:fs/promises and fs streams cost milliseconds of start-up to load.
const readWholeFile = promisify(readFile);
const openFile = promisify(open);
const readInto = promisify(read);

/**
 * Regular files up to this size are read synchronously, at once: the usual pattern, criteria and
 * records files of a test. Larger records files are read synchronously in chunks, larger documents
 * (criteria, cases) and pipes asynchronously, which keeps Ctrl-C working while they last.
 */
export const SYNC_READ_MAX_BYTES = 1024 * 1024;

/** Whether the file of `st` is read at once: a regular file of at most {@link SYNC_READ_MAX_BYTES}. */
function readAtOnce(st: Stats): boolean {
  return st.isFile() && st.size <= SYNC_READ_MAX_BYTES;
}

/**
 * Reads a whole text file: UTF-8 (a BOM is dropped), not empty. `label` names the input in messages
 * (`--criteria filters.json`).
 */
export async function readTextFile(path: string, label: string): Promise<string> {
  let buf: Buffer;
  try {
    const st = statSync(path); // a stat does not block: a FIFO is opened by the read below only
    if (st.isDirectory()) throw new UsageError(`${label}: ${path} is a directory`, "pass a file");
    buf = readAtOnce(st) ? readFileSync(path) : await readWholeFile(path);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${label}: ${errnoText(e)}`, "check the path", e);
  }
  if (!isUtf8(buf)) throw notUtf8(label, buf, firstInvalidUtf8(buf), 0, 1);
  let text = buf.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") throw new UsageError(`${label} is empty`, "the file must hold JSON");
  return text;
}

/** Parses JSON text from an input, or throws a UsageError with the line and column. */
function parseJsonText(text: string, label: string, hint?: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${label} is not valid JSON: ${jsonErrorText(text, e)}`, hint, e);
  }
}

/** Reads and parses a JSON file (see {@link readTextFile}). */
export async function readJsonFile(path: string, label: string, hint?: string): Promise<unknown> {
  return parseJsonText(await readTextFile(path, label), label, hint);
}

/** Where records come from: a file, or stdin (`-`). */
export type RecordSource = { path: string } | { stdin: AsyncIterable<Buffer | string> };

/** Parsed JSON values in input order, with the line each started on. */
export interface ValueBatch {
  values: unknown[];
  /** 1-based line of each value (parallel to `values`). */
  lines: number[];
}

async function* byteChunks(source: RecordSource, label: string): AsyncGenerator<Buffer | string> {
  if ("stdin" in source) {
    yield* source.stdin;
    return;
  }
  let st: Stats;
  try {
    st = statSync(source.path);
    if (st.isDirectory())
      throw new UsageError(`${label}: ${source.path} is a directory`, "pass a file, or - for stdin");
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${label}: ${errnoText(e)}`, "pass a readable file, or - for stdin", e);
  }
  if (readAtOnce(st)) {
    let buf: Buffer;
    try {
      buf = readFileSync(source.path);
    } catch (e) {
      throw new UsageError(`cannot read ${label}: ${errnoText(e)}`, undefined, e);
    }
    if (buf.length > 0) yield buf;
    return;
  }
  // Chunks of RECORDS_CHUNK_BYTES. Two buffers take turns (fresh memory costs a page fault per
  // 4 KiB): a chunk is valid until the one after the next is asked for.
  const buffers = [Buffer.allocUnsafe(RECORDS_CHUNK_BYTES), Buffer.allocUnsafe(RECORDS_CHUNK_BYTES)];
  let turn = 0;
  let fd: number | undefined;
  try {
    if (st.isFile()) {
      // A regular file is read synchronously: a read from it does not wait on another process, and
      // each asynchronous one is a round trip through libuv's thread pool (filter-test --summary spent
      // a quarter of its time waiting for them). The event loop gets a turn every
      // YIELD_EVERY_CHUNKS chunks, so Ctrl-C and a closed stdout are still seen within a megabyte.
      fd = openSync(source.path, "r");
      for (;;) {
        const buf = buffers[turn++ % 2] as Buffer;
        const n = readSync(fd, buf, 0, RECORDS_CHUNK_BYTES, null);
        if (n === 0) break;
        yield buf.subarray(0, n);
        if (turn % YIELD_EVERY_CHUNKS === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return;
    }
    // A pipe could block: read asynchronously, the next read under way while a chunk is parsed.
    fd = await openFile(source.path, "r");
    const file = fd;
    const readChunk = async (): Promise<Buffer> => {
      const buf = buffers[turn++ % 2] as Buffer;
      const { bytesRead } = await readInto(file, buf, 0, RECORDS_CHUNK_BYTES, null);
      return buf.subarray(0, bytesRead);
    };
    let next = readChunk();
    try {
      for (;;) {
        const chunk = await next;
        if (chunk.length === 0) break;
        next = readChunk();
        yield chunk;
      }
    } finally {
      await next.catch(() => undefined);
    }
  } catch (e) {
    throw new UsageError(`cannot read ${label}: ${errnoText(e)}`, undefined, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The hint of every error of a records input (`filter-test --records`). */
export const RECORDS_HINT =
  'expected stream records: one per line (NDJSON, also tail --output json), a JSON array, or a Lambda event {"Records":[...]}';

/**
 * Whether a line (its CR already cut) holds nothing but white space: it is skipped. Only a line whose
 * first character could be one `trim` removes (all ≤ U+0020 or ≥ U+00A0) needs the allocating trim.
 */
function isBlankRecordLine(text: string): boolean {
  if (text.length === 0) return true;
  const c = text.charCodeAt(0);
  return (c <= 32 || c >= 0xa0) && text.trim() === "";
}

/** The error of line `lineNo` of the records, which is not JSON (`e`: what JSON.parse threw). */
function invalidLineError(label: string, lineNo: number, text: string, e: unknown, hint: string): UsageError {
  const why = jsonErrorText(text, e).replace(/ at line 1, column (\d+)$/, " at column $1");
  return new UsageError(`${label}: line ${lineNo}: invalid JSON: ${why}`, hint, e);
}

/** The error of a line longer than {@link MAX_DOCUMENT_CHARS}. */
function tooLongError(label: string, lineNo: number): UsageError {
  return new UsageError(`${label}: line ${lineNo} is too long`, "write one record per line (NDJSON)");
}

/**
 * The error of records that are not UTF-8, found in `chunk` (read after `bytesBefore` bytes and
 * `linesBefore` complete lines; `tail`: the last bytes read before it, where a character cut off at
 * its end began). Names the byte offset and line of the first byte that is not UTF-8.
 */
function recordsNotUtf8(
  label: string,
  f: { tail: Uint8Array; chunk: Uint8Array; bytesBefore: number; last: boolean },
  linesBefore: number,
): UsageError {
  const joined = new Uint8Array(f.tail.length + f.chunk.length);
  joined.set(f.tail, 0);
  joined.set(f.chunk, f.tail.length);
  let at = firstInvalidUtf8(joined, !f.last);
  if (at < 0) at = joined.length - 1;
  // Lines completed so far, minus the newlines of `tail` that notUtf8 counts again.
  const base = linesBefore + 1 - countNewlines(f.tail, f.tail.length);
  return notUtf8(label, joined, at, f.bytesBefore - f.tail.length, base);
}

/** Whether `b` ends inside a UTF-8 character (a lead byte whose sequence runs past the end). */
function cutOff(b: Uint8Array): boolean {
  for (let i = b.length - 1; i >= 0 && i >= b.length - 3; i--) {
    const c = b[i] as number;
    if ((c & 0xc0) === 0x80) continue;
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return i + need > b.length;
  }
  return false;
}

/**
 * The JSON values of a records input, in small batches. NDJSON is parsed line by
 * line (blank lines skipped); when the first non-blank line is not a JSON value by itself, the input
 * is one document and is parsed whole (at most {@link MAX_DOCUMENT_CHARS}). Throws UsageError for an
 * empty input, invalid UTF-8, or invalid JSON (`line N: …`).
 */
export async function* readJsonValues(
  source: RecordSource,
  label: string,
  hint = RECORDS_HINT,
): AsyncGenerator<ValueBatch> {
  // Strict: bytes that are not UTF-8 are an error, never U+FFFD; a BOM is dropped.
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let carry = ""; // the unfinished last line
  let lineNo = 0; // lines completed
  let bytes = 0;
  let mode = "unknown" as "unknown" | "ndjson" | "document";
  let doc: string[] = [];
  let docChars = 0;
  let docLine = 0;
  let sawContent = false;
  let tail: Uint8Array = new Uint8Array(0); // last bytes of the previous chunk, for error offsets

  // Whether the decoder may hold the first bytes of a character cut off at the end of a chunk.
  let pending = false;
  function decode(chunk: Buffer | string, last: boolean): string {
    if (typeof chunk === "string") return chunk;
    // Most JSON is ASCII: such a chunk is its own text (a Latin-1 copy is ~10x faster than the decoder).
    if (!pending && !last && isAscii(chunk)) return chunk.toString("latin1");
    try {
      const text = decoder.decode(chunk, { stream: !last });
      pending = (pending && chunk.length < 4) || cutOff(chunk);
      return text;
    } catch {
      throw recordsNotUtf8(label, { tail, chunk, bytesBefore: bytes, last }, lineNo);
    }
  }

  function handle(line: string, batch: ValueBatch): void {
    lineNo++;
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (mode === "document") {
      doc.push(text);
      docChars += text.length + 1;
      if (docChars > MAX_DOCUMENT_CHARS)
        throw new UsageError(
          `${label}: the document is too large to read whole`,
          "write the records as NDJSON, one per line",
        );
      return;
    }
    if (isBlankRecordLine(text)) return;
    sawContent = true;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      if (mode === "unknown") {
        // Not a JSON value on one line: a pretty-printed document; read it whole.
        mode = "document";
        doc = [text];
        docChars = text.length + 1;
        docLine = lineNo;
        return;
      }
      throw invalidLineError(label, lineNo, text, e, hint);
    }
    mode = "ndjson";
    batch.values.push(value);
    batch.lines.push(lineNo);
  }

  const chunks = byteChunks(source, label);
  let first = true;
  for await (const chunk of chunks) {
    let text = decode(chunk, false);
    bytes += typeof chunk === "string" ? chunk.length : chunk.length;
    // A copy: the chunk's memory is read into again (see byteChunks).
    if (typeof chunk !== "string") tail = Uint8Array.from(chunk.subarray(Math.max(0, chunk.length - 3)));
    if (first && text.length > 0) {
      // A BOM of a string chunk (the TextDecoder drops one of bytes).
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let batch: ValueBatch = { values: [], lines: [] };
    try {
      let start = 0;
      let nl = text.indexOf("\n");
      if (nl >= 0 && carry !== "") {
        handle(carry + text.slice(0, nl), batch);
        carry = "";
        start = nl + 1;
        nl = text.indexOf("\n", start);
      }
      while (nl >= 0) {
        handle(text.slice(start, nl), batch);
        start = nl + 1;
        nl = text.indexOf("\n", start);
        if (batch.values.length >= BATCH_VALUES) {
          yield batch;
          batch = { values: [], lines: [] };
        }
      }
      carry += text.slice(start);
      if (carry.length > MAX_DOCUMENT_CHARS) throw tooLongError(label, lineNo + 1);
    } catch (e) {
      // The values before the failing line are handed over first, as they were read.
      if (batch.values.length > 0) yield batch;
      throw e;
    }
    if (batch.values.length > 0) yield batch;
  }
  const rest = decode(Buffer.alloc(0), true);
  const finalText = carry + rest;
  const batch: ValueBatch = { values: [], lines: [] };
  if (finalText !== "") handle(finalText, batch);
  if (batch.values.length > 0) yield batch;
  if (mode === "document") {
    const text = doc.join("\n");
    doc = [];
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      const where = jsonErrorText(text, e).replace(
        / at line (\d+)/,
        (_, l: string) => ` at line ${Number(l) + docLine - 1}`,
      );
      throw new UsageError(`${label} is not valid JSON: ${where}`, hint, e);
    }
    yield documentValues(value, text, docLine);
  }
  if (!sawContent) throw new UsageError(`${label} is empty`, hint);
}
