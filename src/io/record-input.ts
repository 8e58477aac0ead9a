/**
 * `tail --input <file|->`: the records of a file or stdin, read by the one JSON reader
 * ({@link readJsonValues}: NDJSON line by line in bounded memory, or one document spread over several
 * lines) and normalised to the record model by `normalizeInput` (core/record), whose shapes they are.
 */

import { normalizeInput } from "../core/normalize-record.js";
import type { InputRecord, StreamRecord } from "../core/record.js";
import { UsageError } from "../errors.js";
import { type RecordSource, readJsonValues } from "./json-input.js";

/** The hint of every error of a bad input (exit 2). */
export const INPUT_HINT =
  'expected NDJSON of stream records (SDK or Lambda shape, or tail --output json lines), a JSON array of them, or a Lambda event {"Records":[...]}';

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
 * The records of the input, in order, in small batches (never empty): hot loops pay the async
 * iteration once per batch. Throws UsageError (exit 2) naming the line of invalid JSON or of a value
 * that holds no stream record; the batches before it are handed over first.
 */
export async function* readInputBatches(source: RecordSource): AsyncGenerator<InputRecord[]> {
  const label = "path" in source ? `--input ${source.path}` : "--input (stdin)";
  for await (const { values, lines } of readJsonValues(source, label, INPUT_HINT)) {
    const batch: InputRecord[] = [];
    for (let i = 0; i < values.length; i++) {
      // The line is named only in a message: read again with it when the value fails.
      const r = normalizeInput(values[i]);
      if (!r.ok) {
        if (batch.length > 0) yield batch;
        const named = normalizeInput(values[i], `line ${lines[i]}`);
        throw new UsageError(`${label}: ${named.ok ? r.error : named.error}`, INPUT_HINT);
      }
      addWithOrigin(values[i], r.records, batch);
    }
    if (batch.length > 0) yield batch;
  }
}
