/**
 * Lambda's delivery semantics for DynamoDB streams, pure (no I/O, no clock, no processes): the one
 * implementation behind `dynastream invoke` and `dlq --redrive`.
 *
 * - {@link Entry} and {@link Batch} (./batch): a record converted once to what the function receives
 *   (DynamoDB stream record or Kinesis event record), and the event of a batch (`batchEvent`);
 * - {@link DeliverySettings} (./settings): the mapping's settings, Lambda's defaults and limits,
 *   `settingsFromMapping` for a deployed mapping;
 * - {@link DeliveryEngine} (./engine): records in per shard (`add`, `endShard`, `endInput`), batches
 *   out (`take`), each invocation's {@link Outcome} in (`settle`), and a {@link Settlement} saying
 *   what Lambda does next (checkpoint, retry, bisect, partial retry, discard with the on-failure
 *   record, or a blocked shard);
 * - `readResponse`, `interpretResponse` (./response): what a handler's return value means (state, batchItemFailures);
 * - `buildOnFailureRecord` (./on-failure): the record for the on-failure destination.
 */
export type { Batch, BatchWindow, Entry, FilterView } from "./batch.js";
export { batchEvent, entryOf } from "./batch.js";
export type { Action, DeliveryStats, DeliveryTarget, Diagnostic, Outcome, Settlement } from "./engine.js";
export { DeliveryEngine } from "./engine.js";
export type { BatchInfo, DiscardedBatch, FailureCondition, OnFailureRecord } from "./on-failure.js";
export { batchInfoOf, buildOnFailureRecord } from "./on-failure.js";
export type { ResponseDiagnostic, ResponseVerdict } from "./response.js";
export { interpretResponse, readResponse } from "./response.js";
export type { DeliverySettings, MappingDescription } from "./settings.js";
export {
  DEFAULT_SETTINGS,
  describeSettings,
  LIMITS,
  MAX_PAYLOAD_BYTES,
  settingsFromMapping,
} from "./settings.js";
