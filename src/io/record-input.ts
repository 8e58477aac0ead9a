/**
 * `tail --input <file|->`: stream records from a file or stdin. NDJSON (one record, Lambda event,
 * tail output line or array per line) is read line by line in bounded memory; a single JSON document
 * spread over several lines (a JSON array, a pretty-printed Lambda event) is read whole. Shapes are
 * those of `normalizeInput` in core/record.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { StreamRecord } from "../core/record.js";
import { normalizeInput, parseRecordText } from "../core/record.js";
import { UsageError } from "../errors.js";

/** A record from the input, with what a tail output line said about where it came from. */
export interface InputRecord {
  record: StreamRecord;
  shardId?: string | undefined;
  table?: string | undefined;
  streamArn?: string | undefined;
}

/** Where records come from: a file path, or `-` with the process's stdin. */
export type InputSource = { path: string } | { stdin: AsyncIterable<Buffer | string> };

/** Most characters kept of a document that spans several lines (a JSON array or a pretty event). */
const MAX_DOCUMENT_CHARS = 512 * 1024 * 1024;

function bad(message: string): UsageError {
  return new UsageError(
    `--input: ${message}`,
    'expected NDJSON of stream records (SDK or Lambda shape, or tail --output json lines), a JSON array of them, or a Lambda event {"Records":[...]}',
  );
}

/** Decodes UTF-8 strictly: bytes that are not UTF-8 are an error, never silently U+FFFD. */
function utf8Decoder(label: string): (chunk: Buffer | string | undefined) => string {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  return (chunk) => {
    if (typeof chunk === "string") return chunk;
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    } catch {
      throw new UsageError(
        `--input: ${label} is not valid UTF-8 text`,
        "save it as UTF-8 (JSON is UTF-8), e.g. iconv -f latin1 -t utf-8",
      );
    }
  };
}

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
  for await (const c of createReadStream(source.path)) yield decode(c as Buffer);
  yield decode(undefined);
}

function parses(s: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(s) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

function withOrigin(value: unknown, records: StreamRecord[]): InputRecord[] {
  const o = value as Record<string, unknown> | null;
  if (o && typeof o === "object" && !Array.isArray(o) && o.type === "record") {
    const str = (k: string): string | undefined => (typeof o[k] === "string" ? (o[k] as string) : undefined);
    return records.map((record) => ({
      record,
      shardId: str("shardId"),
      table: str("table"),
      streamArn: str("streamArn"),
    }));
  }
  return records.map((record) => ({ record }));
}

/**
 * The records of the input, in order. Throws UsageError (exit 2) naming the line for a wrong shape or
 * invalid JSON; an input without any record is an error too.
 */
export async function* readInputRecords(source: InputSource): AsyncGenerator<InputRecord> {
  let buffer = "";
  let lineNo = 0;
  let mode = "unknown" as "unknown" | "ndjson" | "document";
  let doc = "";
  let count = 0;
  let first = true;

  function* handleLine(raw: string): Generator<InputRecord> {
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
    if (line.trim() === "") return;
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
    if (!p.ok) throw bad(`line ${lineNo}: invalid JSON: ${p.error}`);
    const r = normalizeInput(p.value, `line ${lineNo}`);
    if (!r.ok) throw bad(r.error);
    for (const x of withOrigin(p.value, r.records)) {
      count++;
      yield x;
    }
  }

  for await (const chunk of chunksOf(source)) {
    buffer += chunk;
    let nl = buffer.indexOf("\n");
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      yield* handleLine(line);
      nl = buffer.indexOf("\n");
    }
    if (mode !== "document" && buffer.length > MAX_DOCUMENT_CHARS)
      throw bad(`line ${lineNo + 1} is too long`);
  }
  if (buffer !== "") yield* handleLine(buffer);
  if (mode === "document") {
    const r = parseRecordText(doc);
    if (!r.ok) throw bad(r.error);
    const whole = parses(doc);
    for (const x of withOrigin(whole.ok ? whole.value : undefined, r.records)) {
      count++;
      yield x;
    }
  }
  if (count === 0 && mode === "unknown") throw bad("no records: the input is empty");
}
