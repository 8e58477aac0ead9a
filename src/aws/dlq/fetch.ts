/**
 * The records of a failed batch, read back from the stream: GetShardIterator AT_SEQUENCE_NUMBER at the
 * batch's first sequence number on its shard, then GetRecords until the batch's last sequence number
 * (compared as integers). The calls are tail's ({@link sdkTailApi}); a batch whose records were trimmed
 * (older than the 24 h retention: TrimmedDataAccessException) or whose shard or stream is gone
 * (ResourceNotFoundException) is reported as expired, never as an error of the run.
 * IAM: dynamodb:GetShardIterator, dynamodb:GetRecords on the stream.
 */
import { expiryMs, type FetchOutcome } from "../../core/dlq/batch.js";
import type { FailureRecord } from "../../core/dlq/message.js";
import type { StreamRecord } from "../../core/record.js";
import { compareSequence } from "../../core/sequence.js";
import type { IteratorPosition } from "../../core/tail/plan.js";
import { awsErrorName, isThrottle, isTransient, translateAwsError } from "../errors.js";
import type { AwsRun } from "../streams.js";
import { sdkTailApi, type TailApi } from "../tail/api.js";

/** Records per GetRecords call (the API's maximum). */
const PAGE_LIMIT = 1000;

/**
 * Empty pages in a row after which an open shard is taken to hold nothing more of the range.
 * DynamoDB Streams may answer empty pages before the records it holds ("it might take multiple calls
 * to get to a portion of the shard that contains stream records": GetRecords API reference), so one
 * empty page is not the end.
 */
const MAX_EMPTY_PAGES = 5;

/** Attempts of a call that throttles or fails transiently (after the SDK's own 3). */
const MAX_ATTEMPTS = 5;

/** Whether a record passes the mapping's filter criteria (as Lambda applied them to the batch). */
export type RecordFilter = (rec: StreamRecord, streamArn: string) => boolean;

/** Reads failed batches back from their streams; one per run (it keeps one call set per stream). */
export class BatchFetcher {
  readonly #run: AwsRun;
  readonly #apis = new Map<string, Promise<TailApi>>();

  constructor(run: AwsRun) {
    this.#run = run;
  }

  #api(streamArn: string): Promise<TailApi> {
    let api = this.#apis.get(streamArn);
    if (api === undefined) {
      api = sdkTailApi(this.#run, streamArn);
      this.#apis.set(streamArn, api);
    }
    return api;
  }

  /** Retries throttling and transient faults with a growing pause; other errors go up as they are. */
  async #retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (attempt >= MAX_ATTEMPTS || this.#run.signal.aborted || !(isThrottle(e) || isTransient(e)))
          throw e;
        await this.#run.sleep(Math.min(200 * 2 ** attempt, 5000));
      }
    }
  }

  /**
   * The batch's records in stream order. `filter`, when given, drops the records the mapping's
   * filter criteria dropped, so the result is the batch Lambda delivered.
   */
  async fetch(failure: FailureRecord, filter?: RecordFilter): Promise<FetchOutcome> {
    const { streamArn, shardId, startSequenceNumber: start, endSequenceNumber: end } = failure.batch;
    const expired = (reason: string): FetchOutcome => ({
      status: "expired",
      reason,
      expiredAtMs: expiryMs(failure),
    });
    const api = await this.#api(streamArn);
    const records: StreamRecord[] = [];
    let filteredOut = 0;
    let last: string | undefined;
    let reachedEnd = false;
    let iterator: string | undefined;
    const iteratorAt = (position: IteratorPosition): Promise<string | undefined> =>
      this.#retrying(() => api.shardIterator(shardId, position));
    try {
      iterator = await iteratorAt({ type: "AT_SEQUENCE_NUMBER", sequenceNumber: start });
      let empty = 0;
      while (iterator !== undefined && !reachedEnd) {
        let page: Awaited<ReturnType<TailApi["records"]>>;
        try {
          const it = iterator;
          page = await this.#retrying(() => api.records(it, PAGE_LIMIT));
        } catch (e) {
          if (awsErrorName(e) !== "ExpiredIteratorException") throw e;
          // Iterators live 15 minutes: resume just after the last record read.
          iterator = await iteratorAt(
            last === undefined
              ? { type: "AT_SEQUENCE_NUMBER", sequenceNumber: start }
              : { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: last },
          );
          continue;
        }
        for (const rec of page.Records) {
          const seq = rec.dynamodb?.SequenceNumber;
          if (seq === undefined) continue;
          if (compareSequence(seq, end) > 0) {
            reachedEnd = true;
            break;
          }
          last = seq;
          if (compareSequence(seq, start) < 0) continue;
          if (filter && !filter(rec, streamArn)) filteredOut++;
          else records.push(rec);
          if (compareSequence(seq, end) === 0) {
            reachedEnd = true;
            break;
          }
        }
        iterator = page.NextShardIterator;
        if (page.Records.length > 0) empty = 0;
        else if (++empty >= MAX_EMPTY_PAGES) break;
        else await this.#run.sleep(100 * empty);
      }
    } catch (e) {
      const name = awsErrorName(e);
      if (name === "TrimmedDataAccessException")
        return expired("trimmed: the records are older than the stream's 24-hour retention");
      if (name === "ResourceNotFoundException")
        return expired(
          `shard ${shardId} or its stream no longer exists (shards are removed 24 h after they close)`,
        );
      throw translateAwsError(e, `shard ${shardId} of ${streamArn}`, this.#run.clients.settings.endpointUrl);
    }
    if (!reachedEnd) {
      const why =
        iterator === undefined
          ? `the shard ended${last === undefined ? "" : ` at ${last}`} before the batch's last sequence number ${end}`
          : `the stream answered no records after ${last ?? start} (the batch ends at ${end})`;
      if (records.length === 0 && filteredOut === 0) {
        // Nothing of the range is left where it should be: the shard no longer holds it.
        return iterator === undefined ? expired(why) : { status: "incomplete", records, reason: why };
      }
      return { status: "incomplete", records, reason: why };
    }
    return { status: "fetched", records, filteredOut, filterApplied: filter !== undefined };
  }
}
