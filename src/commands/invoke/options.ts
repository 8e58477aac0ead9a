/**
 * `dynastream invoke` flags → a validated, typed input. Where records come from is tail's business:
 * the live-stream and `--input` flags are parsed by tail's own parser (../tail/options); this file
 * adds the handler, the mapping settings, the environment and the destination flags. Nothing here
 * does I/O; every mistake is a UsageError (exit 2) with a hint.
 */

import type { DeliverySettings } from "../../core/delivery/settings.js";
import { DEFAULT_SETTINGS, LIMITS } from "../../core/delivery/settings.js";
import { parseDuration } from "../../core/duration.js";
import { UsageError } from "../../errors.js";
import type { TailInput } from "../tail/options.js";
import { list, parseTailFlags, str } from "../tail/options.js";

/** The flags as commander hands them over. */
export type InvokeFlags = Record<string, unknown>;

/** A mapping setting given on the command line, named as the flag (to say what overrides what). */
export type Overrides = Partial<Record<keyof DeliverySettings, string>>;

/** Validated input of an `invoke` run. */
export interface InvokeInput {
  /** `<handler>`: a module path, maybe `:export`; undefined when delivering to `--function`. */
  handler: string | undefined;
  /** Where records come from (live or `--input`), as tail parses it. */
  source: TailInput;
  /** Settings from flags over Lambda's defaults (`--function` puts the deployed ones under these). */
  settings: DeliverySettings;
  /** The settings the flags gave, by field, with the flag's text. */
  overrides: Overrides;
  /** `--function <name|arn>`. */
  functionName: string | undefined;
  qualifier: string | undefined;
  /** `--env KEY=VALUE`, in order; `--env-file` paths. */
  env: Array<[string, string]>;
  envFiles: string[];
  /** `--on-failure <file>`: on-failure records are appended to it as NDJSON. */
  onFailure: string | undefined;
  showRecords: boolean;
  yes: boolean;
}

function int(flag: string, text: string, min: number, max: number, example: string): number {
  const t = text.trim();
  if (!/^-?\d+$/.test(t))
    throw new UsageError(`${flag} must be a whole number, got "${text}"`, `for example ${flag} ${example}`);
  const n = Number(t);
  if (n < min || n > max) {
    throw new UsageError(
      `${flag} must be between ${min} and ${max}, got ${text}`,
      `for example ${flag} ${example}`,
    );
  }
  return n;
}

function seconds(flag: string, text: string, min: number, max: number, example: string): number {
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new UsageError(
      `invalid ${flag} "${text}"`,
      `a number of seconds or a duration, e.g. ${flag} ${example}`,
    );
  if (ms < min * 1000 || ms > max * 1000) {
    throw new UsageError(
      `${flag} must be between ${min} and ${max} seconds, got ${text}`,
      `for example ${flag} ${example}`,
    );
  }
  return ms;
}

/** Reads `KEY=VALUE` (the key: a shell variable name). */
export function parseEnvAssignment(text: string, where: string): [string, string] {
  const i = text.indexOf("=");
  const key = i < 0 ? text : text.slice(0, i);
  if (i < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
    throw new UsageError(
      `${where}: expected KEY=VALUE, got "${text}"`,
      "for example --env TABLE_NAME=Orders",
    );
  }
  return [key, text.slice(i + 1)];
}

/**
 * Validates the flags of `invoke`. `args` are the positionals: `<handler> [table|stream-arn]`, or
 * with `--function` and no local handler, `[table|stream-arn]` alone.
 */
export function parseInvokeFlags(
  args: Array<string | undefined>,
  f: InvokeFlags,
  nowMs: number,
): InvokeInput {
  const functionName = str(f.function);
  if (functionName !== undefined && functionName.trim() === "")
    throw new UsageError("--function needs a function name or ARN");
  let [handler, target] = args;
  // `invoke --function fn Orders`: with no handler file, the first positional is the stream.
  const looksLikeModule = (t: string | undefined): boolean =>
    t !== undefined && /\.[cm]?[jt]s(:[\w$]+)?$/.test(t);
  if (
    functionName !== undefined &&
    target === undefined &&
    handler !== undefined &&
    !looksLikeModule(handler)
  ) {
    target = handler;
    handler = undefined;
  }
  if (handler === undefined && functionName === undefined) {
    throw new UsageError(
      "missing <handler>",
      "dynastream invoke ./src/handler.mjs Orders, or deliver to the deployed function: dynastream invoke --function <name> --input records.ndjson --yes",
    );
  }
  if (target === undefined && str(f.input) === undefined) {
    throw new UsageError(
      "missing <table|stream-arn> or --input",
      "live records: dynastream invoke ./handler.mjs Orders; captured ones: dynastream invoke ./handler.mjs --input records.ndjson",
    );
  }
  if (f.concurrency !== undefined) {
    throw new UsageError(
      "--concurrency is a tail option",
      "invoke reads each shard as Lambda does: one reader per shard",
    );
  }
  let source: TailInput;
  try {
    source = parseTailFlags(target, f, nowMs);
  } catch (e) {
    // tail's hint for stream flags given with --input lists tail's own flags: say invoke's.
    if (e instanceof UsageError && e.hint?.startsWith("with --input only")) {
      throw new UsageError(
        e.message,
        "with --input the records come from the file; --count and --filter still apply",
      );
    }
    throw e;
  }

  const settings: DeliverySettings = { ...DEFAULT_SETTINGS };
  const overrides: Overrides = {};
  const take = <K extends keyof DeliverySettings>(
    field: K,
    flag: string,
    parse: (t: string) => DeliverySettings[K],
  ) => {
    const t = str(f[flagKey(flag)]);
    if (t === undefined) return;
    settings[field] = parse(t);
    overrides[field] = `${flag} ${t}`;
  };
  const b = LIMITS;
  take("batchSize", "--batch-size", (t) => int("--batch-size", t, b.batchSize.min, b.batchSize.max, "10"));
  take("batchWindowMs", "--batch-window", (t) =>
    seconds("--batch-window", t, b.batchWindowSeconds.min, b.batchWindowSeconds.max, "5s"),
  );
  take("maxRetryAttempts", "--max-retry-attempts", (t) =>
    int("--max-retry-attempts", t, b.maxRetryAttempts.min, b.maxRetryAttempts.max, "3"),
  );
  take("maxRecordAgeSeconds", "--max-record-age", (t) => {
    if (t.trim() === "-1") return -1;
    return seconds("--max-record-age", t, b.maxRecordAgeSeconds.min, b.maxRecordAgeSeconds.max, "1h") / 1000;
  });
  take("parallelizationFactor", "--parallelization-factor", (t) =>
    int("--parallelization-factor", t, b.parallelizationFactor.min, b.parallelizationFactor.max, "2"),
  );
  take("functionTimeoutMs", "--function-timeout", (t) =>
    seconds("--function-timeout", t, b.functionTimeoutSeconds.min, b.functionTimeoutSeconds.max, "30s"),
  );
  take("tumblingWindowMs", "--tumbling-window", (t) =>
    seconds("--tumbling-window", t, b.tumblingWindowSeconds.min, b.tumblingWindowSeconds.max, "5m"),
  );
  take("localRetryLimit", "--max-local-retries", (t) => int("--max-local-retries", t, 0, 10_000, "20"));
  for (const [field, flag] of [
    ["bisectOnError", "--bisect-on-error"],
    ["reportBatchItemFailures", "--report-batch-item-failures"],
  ] as const) {
    if (f[flagKey(flag)] === true) {
      settings[field] = true;
      overrides[field] = flag;
    }
  }
  if (settings.parallelizationFactor > 1 && source.checkpoint !== undefined) {
    throw new UsageError(
      "--checkpoint with --parallelization-factor above 1 is not supported yet",
      "batches of one shard then complete out of order; use --parallelization-factor 1 with --checkpoint",
    );
  }

  const env = list(f.env).map((t) => parseEnvAssignment(t, "--env"));
  const envFiles = list(f.envFile);
  const onFailure = str(f.onFailure);
  if (onFailure !== undefined && onFailure.trim() === "")
    throw new UsageError("--on-failure needs a file path");
  const qualifier = str(f.qualifier);
  if (qualifier !== undefined && functionName === undefined) {
    throw new UsageError(
      "--qualifier needs --function",
      "it names the version or alias of the deployed function",
    );
  }
  if (handler === undefined) {
    const localOnly = (env.length > 0 ? ["--env"] : []).concat(envFiles.length > 0 ? ["--env-file"] : []);
    if (localOnly.length > 0) {
      throw new UsageError(
        `${localOnly.join(", ")} set the environment of a local handler; the deployed function keeps its own`,
        "give a handler file to run locally, or leave them out",
      );
    }
  }
  return {
    handler,
    source,
    settings,
    overrides,
    functionName,
    qualifier,
    env,
    envFiles,
    onFailure,
    showRecords: f.showRecords === true,
    yes: f.yes === true,
  };
}

/** commander's key of a flag: `--batch-size` → `batchSize`. */
function flagKey(flag: string): string {
  return flag.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
