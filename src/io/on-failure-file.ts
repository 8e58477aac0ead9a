/**
 * `invoke --on-failure <file>`: each on-failure record appended as one NDJSON line, exactly the JSON
 * Lambda sends to an SQS or SNS on-failure destination (core/delivery/on-failure), so the file can be
 * read back like a queue's messages (`dynastream dlq --input`).
 */
import { appendFile } from "node:fs/promises";
import type { OnFailureRecord } from "../core/delivery/on-failure.js";
import { UsageError } from "../errors.js";

/** Appends one on-failure record; a file that cannot be written is a usage error (exit 2). */
export async function appendOnFailure(path: string, record: OnFailureRecord): Promise<void> {
  try {
    await appendFile(path, `${JSON.stringify(record)}\n`, { encoding: "utf8", mode: 0o600 });
  } catch (e) {
    throw new UsageError(
      `cannot write --on-failure file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      "pass a writable file path",
      e,
    );
  }
}
