/**
 * The settings of a DynamoDB event source mapping that decide how Lambda delivers stream records to a
 * function, with Lambda's defaults and limits, and their translation from a mapping as the Lambda API
 * describes it (a structural type: core never imports the SDK).
 *
 * Defaults and limits: https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html
 * (BatchSize 100, max 10,000; MaximumBatchingWindowInSeconds 0–300; MaximumRetryAttempts -1 = until
 * the record expires, 0–10,000; MaximumRecordAgeInSeconds -1 = infinite, else 60–604,800;
 * ParallelizationFactor 1–10; TumblingWindowInSeconds 0–900). A mapping on a Kinesis data stream has
 * the same defaults and limits: https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parameters.html
 */

/** How a mapping delivers records. Every field is the event source mapping setting of that name. */
export interface DeliverySettings {
  /** `BatchSize`: most records in one invocation (1–10,000; default 100). */
  batchSize: number;
  /** `MaximumBatchingWindowInSeconds` in ms: how long to wait to fill a batch (0–300 s; default 0). */
  batchWindowMs: number;
  /** `MaximumRetryAttempts`: retries of a failing batch; -1 = until the records expire (default). */
  maxRetryAttempts: number;
  /** `MaximumRecordAgeInSeconds`: older records are not sent; -1 = no limit (default). */
  maxRecordAgeSeconds: number;
  /** `BisectBatchOnFunctionError`: split a failing batch in two (default false). */
  bisectOnError: boolean;
  /** `FunctionResponseTypes` contains `ReportBatchItemFailures` (default false). */
  reportBatchItemFailures: boolean;
  /** `ParallelizationFactor`: concurrent batches per shard, ordered per item key (1–10; default 1). */
  parallelizationFactor: number;
  /** The function's `Timeout` in ms (default 3 s, Lambda's default). */
  functionTimeoutMs: number;
  /** `TumblingWindowInSeconds` in ms: 0 = none (default); else windows with state (0–900 s). */
  tumblingWindowMs: number;
  /**
   * Not a Lambda setting: where a local run stops retrying a batch that Lambda would keep retrying
   * (`MaximumRetryAttempts` -1 or above this). The shard is then reported blocked, as it would be in
   * Lambda, instead of looping for up to 24 hours.
   */
  localRetryLimit: number;
}

/** Lambda's synchronous invocation payload limit (6 MB), which also bounds a batch. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** DynamoDB Streams keeps records 24 hours: "until the records expire" means up to this long. */
export const STREAM_RETENTION_MS = 24 * 3_600_000;

/** The defaults of a new DynamoDB event source mapping, and of a function's timeout. */
export const DEFAULT_SETTINGS: DeliverySettings = {
  batchSize: 100,
  batchWindowMs: 0,
  maxRetryAttempts: -1,
  maxRecordAgeSeconds: -1,
  bisectOnError: false,
  reportBatchItemFailures: false,
  parallelizationFactor: 1,
  functionTimeoutMs: 3000,
  tumblingWindowMs: 0,
  localRetryLimit: 10,
};

/** The limits of each numeric setting, as CreateEventSourceMapping validates them. */
export const LIMITS = {
  batchSize: { min: 1, max: 10_000 },
  batchWindowSeconds: { min: 0, max: 300 },
  maxRetryAttempts: { min: -1, max: 10_000 },
  /** -1, or 60–604,800 (CreateEventSourceMapping rejects 0–59). */
  maxRecordAgeSeconds: { min: 60, max: 604_800 },
  parallelizationFactor: { min: 1, max: 10 },
  /** Lambda's function timeout: 1–900 s. */
  functionTimeoutSeconds: { min: 1, max: 900 },
  tumblingWindowSeconds: { min: 0, max: 900 },
} as const;

/**
 * The parts of an event source mapping (`EventSourceMappingConfiguration` of the Lambda API) that
 * decide delivery. Structural, so the SDK's type is assignable without core importing it.
 */
export interface MappingDescription {
  BatchSize?: number | undefined;
  MaximumBatchingWindowInSeconds?: number | undefined;
  MaximumRetryAttempts?: number | undefined;
  MaximumRecordAgeInSeconds?: number | undefined;
  BisectBatchOnFunctionError?: boolean | undefined;
  FunctionResponseTypes?: readonly string[] | undefined;
  ParallelizationFactor?: number | undefined;
  TumblingWindowInSeconds?: number | undefined;
}

/** The setting of each {@link DeliverySettings} field that a mapping set, and how it is shown. */
export type SettingName = Exclude<keyof DeliverySettings, "localRetryLimit">;

/**
 * The delivery settings of a deployed mapping (its absent fields take Lambda's defaults) and its
 * function's timeout in seconds.
 */
export function settingsFromMapping(
  m: MappingDescription,
  functionTimeoutSeconds: number | undefined,
): { settings: DeliverySettings } {
  const d = DEFAULT_SETTINGS;
  return {
    settings: {
      batchSize: m.BatchSize ?? d.batchSize,
      batchWindowMs: (m.MaximumBatchingWindowInSeconds ?? 0) * 1000,
      maxRetryAttempts: m.MaximumRetryAttempts ?? d.maxRetryAttempts,
      maxRecordAgeSeconds: m.MaximumRecordAgeInSeconds ?? d.maxRecordAgeSeconds,
      bisectOnError: m.BisectBatchOnFunctionError ?? false,
      reportBatchItemFailures: (m.FunctionResponseTypes ?? []).includes("ReportBatchItemFailures"),
      parallelizationFactor: m.ParallelizationFactor ?? 1,
      functionTimeoutMs: (functionTimeoutSeconds ?? 3) * 1000,
      tumblingWindowMs: (m.TumblingWindowInSeconds ?? 0) * 1000,
      localRetryLimit: d.localRetryLimit,
    },
  };
}

/** One line per setting, as the summary and `--function` show them (`batch size 100`, …). */
export function describeSettings(s: DeliverySettings): string {
  const retries = s.maxRetryAttempts < 0 ? "retries until expiry" : `max retries ${s.maxRetryAttempts}`;
  const age = s.maxRecordAgeSeconds < 0 ? "no max record age" : `max record age ${s.maxRecordAgeSeconds}s`;
  return [
    `batch size ${s.batchSize}`,
    `window ${s.batchWindowMs / 1000}s`,
    retries,
    age,
    s.bisectOnError ? "bisect on error" : "no bisect",
    s.reportBatchItemFailures ? "ReportBatchItemFailures" : "no ReportBatchItemFailures",
    `parallelization ${s.parallelizationFactor}`,
    `timeout ${s.functionTimeoutMs / 1000}s`,
    ...(s.tumblingWindowMs > 0 ? [`tumbling window ${s.tumblingWindowMs / 1000}s`] : []),
  ].join(", ");
}
