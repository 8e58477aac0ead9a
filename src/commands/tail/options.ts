/**
 * `dynastream tail` flags → a validated, typed input. Every mistake is a UsageError (exit 2) with a
 * hint; nothing here does I/O.
 */
import { parseDuration, parseTimeOrAgo } from "../../core/duration.js";
import { isSequenceNumber } from "../../core/sequence.js";
import type { FromSpec, IteratorPosition } from "../../core/tail/plan.js";
import { FROM_FORMS, parseFrom } from "../../core/tail/plan.js";
import { UsageError } from "../../errors.js";

/** The flags as commander hands them over (strings, booleans, repeatable arrays). */
export interface TailFlags {
  from?: unknown;
  shard?: unknown;
  afterSequence?: unknown;
  atSequence?: unknown;
  untilEnd?: unknown;
  count?: unknown;
  until?: unknown;
  idleTimeout?: unknown;
  checkpoint?: unknown;
  concurrency?: unknown;
  full?: unknown;
  localTime?: unknown;
  input?: unknown;
  filter?: unknown;
  kinesis?: unknown;
  dedupe?: unknown;
}

/** Validated input of a `tail` run. */
export interface TailInput {
  /** `<table|stream-arn>`; undefined with --input. */
  target: string | undefined;
  /** `--input`: a path, or `-` for stdin. */
  input: string | undefined;
  from: FromSpec;
  /** Whether --from was given (it does not apply when resuming a checkpoint). */
  fromGiven: boolean;
  /** `--shard`, deduplicated. */
  shards: string[] | undefined;
  /** `--after-sequence` / `--at-sequence` (with exactly one --shard). */
  sequence: (IteratorPosition & { sequenceNumber: string }) | undefined;
  untilEnd: boolean;
  count: number | undefined;
  /** `--until` as epoch ms. */
  untilMs: number | undefined;
  idleTimeoutMs: number | undefined;
  checkpoint: string | undefined;
  concurrency: number;
  full: boolean;
  tz: "utc" | "local";
  /** `--filter` texts as given (`@file` not yet read). */
  filters: string[];
  /** `--kinesis [stream]`: the table's Kinesis destination (true), or that Kinesis stream. */
  kinesis: string | true | undefined;
  /** `--dedupe`: drop records whose eventID this run already printed (else they are marked). */
  dedupe: boolean;
}

/** Default and largest `--concurrency`. */
export const DEFAULT_CONCURRENCY = 32;
export const MAX_CONCURRENCY = 1000;

const TIME_HINT = "use an ISO-8601 time (2026-01-31T12:00:00Z) or a duration ago (15m, 2h)";

/** A flag's string value as commander hands it over (undefined when absent or a boolean). */
export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** A repeatable flag's values (one value counts as a list of one). */
export function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return typeof v === "string" ? [v] : [];
}

function positiveInt(name: string, v: string, max: number): number {
  if (!/^\d+$/.test(v.trim())) {
    throw new UsageError(`${name} must be a whole number, got "${v}"`, `for example ${name} 10`);
  }
  const n = Number(v.trim());
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${name} must be at least 1, got "${v}"`, `for example ${name} 10`);
  }
  if (n > max) throw new UsageError(`${name} must be at most ${max}, got "${v}"`);
  return n;
}

/**
 * Validates the flags of `tail`. `nowMs` resolves durations ago (`--from 15m`, `--until 5m`).
 *
 * @throws UsageError for anything invalid or conflicting
 */
export function parseTailFlags(target: string | undefined, f: TailFlags, nowMs: number): TailInput {
  const input = str(f.input);
  const fromText = str(f.from);
  const shards = [...new Set(list(f.shard).map((s) => s.trim()))].filter((s) => s !== "");
  if (list(f.shard).some((s) => s.trim() === "")) throw new UsageError("--shard needs a shard id");
  const after = str(f.afterSequence);
  const at = str(f.atSequence);
  const untilEnd = f.untilEnd === true;
  const untilText = str(f.until);
  const idleText = str(f.idleTimeout);
  const checkpoint = str(f.checkpoint);
  const countText = str(f.count);
  const concText = str(f.concurrency);
  const filters = list(f.filter);

  const kinesis = f.kinesis === true ? true : str(f.kinesis);
  if (kinesis !== undefined && input !== undefined) {
    throw new UsageError(
      "--kinesis reads a Kinesis stream and cannot be used with --input",
      "--input recognises Kinesis Lambda events and change records by itself",
    );
  }
  if (input !== undefined) {
    if (target !== undefined) {
      throw new UsageError(
        "give either <table|stream-arn> or --input, not both",
        "--input renders records from a file or stdin instead of reading the stream",
      );
    }
    if (input.trim() === "") throw new UsageError("--input needs a file path, or - for stdin");
    const streamOnly: Array<[string, boolean]> = [
      ["--from", fromText !== undefined],
      ["--shard", shards.length > 0],
      ["--after-sequence", after !== undefined],
      ["--at-sequence", at !== undefined],
      ["--until-end", untilEnd],
      ["--until", untilText !== undefined],
      ["--idle-timeout", idleText !== undefined],
      ["--checkpoint", checkpoint !== undefined],
      ["--concurrency", concText !== undefined],
    ];
    const used = streamOnly.filter(([, on]) => on).map(([n]) => n);
    if (used.length > 0) {
      throw new UsageError(
        `${used.join(", ")} ${used.length === 1 ? "reads" : "read"} a stream and cannot be used with --input`,
        "with --input only --count, --filter, --full, --local-time and --output apply",
      );
    }
  } else if (target === undefined || target.trim() === "") {
    throw new UsageError(
      "missing <table|stream-arn>",
      "dynastream tail Orders, or dynastream tail --input records.ndjson",
    );
  }

  let from: FromSpec = { kind: "latest" };
  if (fromText !== undefined) {
    const parsed = parseFrom(fromText, nowMs);
    if (!parsed) throw new UsageError(`invalid --from "${fromText}"`, `use ${FROM_FORMS}`);
    if (parsed.kind === "time" && parsed.ms > nowMs + 3_600_000) {
      throw new UsageError(
        `--from ${fromText} is in the future`,
        "for records from now on use --from latest (the default)",
      );
    }
    from = parsed;
  }

  let sequence: TailInput["sequence"];
  if (after !== undefined || at !== undefined) {
    if (after !== undefined && at !== undefined) {
      throw new UsageError("--after-sequence and --at-sequence conflict", "use one of them");
    }
    const flag = after !== undefined ? "--after-sequence" : "--at-sequence";
    const seq = (after ?? at ?? "").trim();
    if (!isSequenceNumber(seq)) {
      throw new UsageError(
        `${flag} must be a sequence number (digits only), got "${after ?? at}"`,
        "copy it from the sequenceNumber of a tail --json line",
      );
    }
    if (shards.length !== 1) {
      throw new UsageError(
        `${flag} needs exactly one --shard`,
        `sequence numbers are per shard: ${flag} <n> --shard <shardId> (the shardId of the same tail --json line)`,
      );
    }
    if (fromText !== undefined) throw new UsageError(`${flag} conflicts with --from`, "use one of them");
    if (checkpoint !== undefined) {
      throw new UsageError(`${flag} conflicts with --checkpoint`, "the checkpoint decides where to resume");
    }
    sequence =
      after !== undefined
        ? { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: seq }
        : { type: "AT_SEQUENCE_NUMBER", sequenceNumber: seq };
  }

  let count: number | undefined;
  if (countText !== undefined) count = positiveInt("--count", countText, Number.MAX_SAFE_INTEGER);

  let untilMs: number | undefined;
  if (untilText !== undefined) {
    untilMs = parseTimeOrAgo(untilText, nowMs);
    if (untilMs === undefined) throw new UsageError(`invalid --until "${untilText}"`, TIME_HINT);
    if (from.kind === "time" && untilMs <= from.ms) {
      throw new UsageError(`--until ${untilText} is not after --from ${from.text}`);
    }
  }

  let idleTimeoutMs: number | undefined;
  if (idleText !== undefined) {
    idleTimeoutMs = parseDuration(idleText);
    if (idleTimeoutMs === undefined || idleTimeoutMs <= 0) {
      throw new UsageError(`invalid --idle-timeout "${idleText}"`, "use a duration such as 30s, 5m or 1h");
    }
  }

  if (checkpoint !== undefined && checkpoint.trim() === "") {
    throw new UsageError("--checkpoint needs a file path");
  }

  const concurrency =
    concText === undefined ? DEFAULT_CONCURRENCY : positiveInt("--concurrency", concText, MAX_CONCURRENCY);

  return {
    target: input === undefined ? target : undefined,
    input,
    from,
    fromGiven: fromText !== undefined,
    shards: shards.length > 0 ? shards : undefined,
    sequence,
    untilEnd,
    count,
    untilMs,
    idleTimeoutMs,
    checkpoint,
    concurrency,
    full: f.full === true,
    tz: f.localTime === true ? "local" : "utc",
    filters,
    kinesis,
    dedupe: f.dedupe === true,
  };
}
