/**
 * The run of `invoke`: records from a source (./sources) go into the delivery core
 * (core/delivery), whose batches go to an invoker (./invokers); each invocation is shown as it ends
 * (render/invoke), discarded batches are written to `--on-failure`, and the live checkpoint advances
 * only past settled batches (a restart re-delivers at most the batches in flight: at least once, as
 * Lambda). Ctrl-C stops taking batches; invocations in flight finish or time out.
 */
import type { Context } from "../../cli/context.js";
import type { Batch, DeliveryEngine, Settlement } from "../../core/delivery/index.js";
import { batchEvent } from "../../core/delivery/index.js";
import { InterruptedError, UsageError } from "../../errors.js";
import type { InvocationView } from "../../render/invoke.js";
import {
  failureJson,
  failureLine,
  invocationJson,
  invocationLine,
  summaryJson,
  summaryLines,
} from "../../render/invoke.js";
import type { Invoker } from "./invokers.js";

/** Most batches in flight at once (execution environments, or concurrent Invoke calls). */
export const MAX_IN_FLIGHT = 10;

/** Reading pauses while this many records wait in the core per batch in flight allowed. */
const PENDING_PER_SLOT = 2_000;

/** A one-slot wake-up: a wake before the wait is not lost. */
export class Wakeup {
  #pending = false;
  #resolve: (() => void) | undefined;
  wake(): void {
    const r = this.#resolve;
    if (r !== undefined) {
      this.#resolve = undefined;
      r();
    } else this.#pending = true;
  }
  wait(ms?: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.wake(), Math.max(1, ms));
      this.#resolve = () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** What feeds the core: it adds records, and ends the input when it is done. */
export interface Feed {
  /** Runs until the source ends (then `engine.endInput()`), the run is aborted, or an error. */
  run(engine: DeliveryEngine, wake: () => void, room: () => Promise<void>): Promise<void>;
  /** After a batch settled: records of `shardId` up to `sequenceNumber` are done (checkpoint). */
  settled?(shardId: string, sequenceNumber: string): Promise<void>;
  /** At the end (also after Ctrl-C): save what is due, release the reader. */
  close?(): Promise<void>;
}

/** How the run shows things. */
export interface RunOptions {
  json: boolean;
  showRecords: boolean;
  onFailureFile: string | undefined;
  /** Whether the records come live (a blocked shard then also holds back what follows). */
  label: string;
  /** The `--checkpoint` file, if any: the Ctrl-C line says it holds settled batches only. */
  checkpoint?: string | undefined;
}

/** Drives the core until the feed ends and every batch is settled; returns the exit code. */
export async function deliver(
  ctx: Context,
  engine: DeliveryEngine,
  feed: Feed,
  invoker: Invoker,
  opts: RunOptions,
): Promise<number> {
  const wakeup = new Wakeup();
  const wake = (): void => wakeup.wake();
  ctx.signal.addEventListener("abort", wake, { once: true });
  const warned = new Set<string>();
  const warnOnce = (key: string, message: string): void => {
    if (warned.has(key)) return;
    warned.add(key);
    ctx.out.warn(message);
  };
  let fatal: unknown;
  let fed = false;
  let everStarted = false;
  let invocations = 0;
  const inFlight = new Set<Promise<void>>();
  const style = ctx.out.errStyle;

  const room = async (): Promise<void> => {
    while (!ctx.aborted && fatal === undefined && engine.pending() > PENDING_PER_SLOT * MAX_IN_FLIGHT) {
      await new Promise<void>((resolve) => setTimeout(resolve, 20));
    }
  };
  const feeding = feed
    .run(engine, wake, room)
    .catch((e: unknown) => {
      fatal ??= e;
    })
    .finally(() => {
      fed = true;
      wake();
    });

  const onFailure = async (record: Parameters<typeof failureLine>[0]): Promise<void> => {
    if (opts.onFailureFile !== undefined) {
      const { appendOnFailure } = await import("../../io/on-failure-file.js");
      await appendOnFailure(opts.onFailureFile, record);
    }
    if (opts.json) ctx.out.jsonLine(failureJson(record));
    else ctx.out.info(failureLine(record, style, opts.onFailureFile));
  };

  const settle = async (batch: Batch, n: number): Promise<void> => {
    const label = `#${n}`;
    const r = await invoker.invoke(batch, label);
    if (r.initError !== undefined && !everStarted) {
      throw new UsageError(
        `handler ${opts.label} did not load: ${r.initError.errorType}: ${r.initError.errorMessage}`,
        "fix the module (run it with node to see the error), or name the export: ./file.mjs:exportName",
      );
    }
    if (r.initError === undefined) everStarted = true;
    const attempt = batch.invocations + 1;
    const s: Settlement = engine.settle(batch.id, r.outcome, ctx.now());
    for (const d of s.diagnostics) warnOnce(d.code === "poison-record" ? d.message : d.code, d.message);
    if (r.ignoredReturn) {
      warnOnce(
        "ignored-return",
        "the handler is synchronous and returned a value without a callback: Lambda's Node.js runtime ignores it (the response is null); make it async or call callback(null, result)",
      );
    }
    const first = batch.entries[0];
    const last = batch.entries[batch.entries.length - 1];
    const o = r.outcome;
    const view: InvocationView = {
      invocation: n,
      shardId: batch.shardId,
      records: batch.entries.length,
      firstSequenceNumber: first?.sequenceNumber,
      lastSequenceNumber: last?.sequenceNumber,
      attempt,
      origin: batch.origin,
      durationMs: r.durationMs,
      cold: r.cold,
      initMs: r.initMs,
      requestId: o.requestId,
      result:
        o.kind === "timeout"
          ? "timeout"
          : o.kind === "error"
            ? "error"
            : s.verdict === "partial"
              ? "partial"
              : s.verdict === "failure"
                ? "failed-response"
                : "ok",
      error:
        o.kind === "error"
          ? { type: o.errorType, message: o.errorMessage }
          : s.verdict === "failure" && o.kind === "returned"
            ? { type: "BatchItemFailures", message: s.reason ?? "" }
            : undefined,
      failedItems:
        s.verdict === "partial" ? (s.reason !== undefined ? identifiers(o) : undefined) : undefined,
      next: s.next,
      retryFrom: s.failedFrom,
    };
    if (batch.window !== undefined) {
      const ev = batchEvent(batch) as unknown as { window: { start: string; end: string } };
      view.window = { ...ev.window, final: batch.window.final };
    }
    if (opts.showRecords) view.event = batchEvent(batch);
    if (opts.json) ctx.out.jsonLine(invocationJson(view));
    else ctx.out.info(invocationLine(view, style));
    if (opts.showRecords && !opts.json) {
      for (const e of batch.entries)
        ctx.out.info(`  ${e.eventName ?? "?"} ${e.keys} seq ${e.sequenceNumber ?? "?"}`);
    }
    if (s.onFailure !== undefined) await onFailure(s.onFailure);
    // The checkpoint passes the records this invocation settled (delivered, or discarded).
    const through =
      s.next === "done" || s.next === "on-failure"
        ? last?.sequenceNumber
        : s.delivered > 0
          ? batch.entries[s.delivered - 1]?.sequenceNumber
          : undefined;
    if (through !== undefined && feed.settled !== undefined) await feed.settled(batch.shardId, through);
  };

  try {
    while (fatal === undefined) {
      if (ctx.aborted) break;
      const { actions, waitMs } = engine.take(ctx.now(), MAX_IN_FLIGHT - inFlight.size);
      for (const a of actions) {
        if (a.kind === "discard") {
          await onFailure(a.onFailure);
          continue;
        }
        const p = settle(a.batch, ++invocations)
          .catch((e: unknown) => {
            fatal ??= e;
          })
          .finally(() => {
            inFlight.delete(p);
            wake();
          });
        inFlight.add(p);
      }
      if (fed && inFlight.size === 0 && engine.finished()) break;
      if (fed && inFlight.size === 0 && actions.length === 0 && waitMs === undefined) break;
      await wakeup.wait(waitMs);
    }
    // Ctrl-C or an error: invocations in flight finish (or time out) before the run ends.
    await Promise.all(inFlight);
  } finally {
    invoker.close();
    ctx.signal.removeEventListener("abort", wake);
    await feeding;
    await feed.close?.();
  }
  if (fatal !== undefined) throw fatal;

  const blocked = [...engine.undelivered()];
  const summary = {
    stats: engine.stats,
    settings: engine.settings,
    blocked,
    coldStarts: invoker.coldStarts,
    kinesis: engine.kinesis,
  };
  if (opts.json) ctx.out.jsonLine(summaryJson(summary));
  if (ctx.aborted) {
    for (const l of summaryLines(summary)) ctx.out.info(l);
    throw new InterruptedError(
      `invoke stopped: batches in flight finished${opts.checkpoint === undefined ? "" : `; ${opts.checkpoint} is past settled batches only`}`,
    );
  }
  for (const l of summaryLines(summary)) ctx.out.info(l);
  if (engine.stats.discardedBatches > 0 || blocked.length > 0) return 1;
  return 0;
}

/** The identifiers a partial response named. */
function identifiers(o: { kind: string; response?: unknown }): string[] | undefined {
  const r = o.response as { batchItemFailures?: Array<{ itemIdentifier?: unknown }> } | null | undefined;
  const list = r?.batchItemFailures;
  if (!Array.isArray(list)) return undefined;
  return list.map((x) => String(x?.itemIdentifier));
}
