// Driving the delivery core (src/core/delivery) in unit tests: every batch through a handler function.
import type { Batch, DeliveryEngine, Outcome, Settlement } from "../../src/core/delivery/index.js";

/** One invocation: its batch, its records' sequence numbers when invoked, and what Lambda did next. */
export interface Step {
  batch: Batch;
  seqs: string;
  invocations: number;
  s: Settlement;
}

export const seqs = (b: Batch): string => b.entries.map((e) => e.sequenceNumber).join(",");

/** Runs every batch through `handler` until the engine is done; returns each invocation, in order. */
export function drive(e: DeliveryEngine, handler: (b: Batch, n: number) => Outcome, now: number): Step[] {
  e.endInput();
  const steps: Step[] = [];
  let n = 0;
  for (let guard = 0; guard < 1000 && !e.finished(); guard++) {
    const { actions } = e.take(now);
    if (actions.length === 0) break;
    for (const a of actions) {
      if (a.kind !== "invoke") continue;
      const before = seqs(a.batch);
      const inv = a.batch.invocations;
      steps.push({
        batch: a.batch,
        seqs: before,
        invocations: inv,
        s: e.settle(a.batch.id, handler(a.batch, n++), now),
      });
    }
  }
  return steps;
}

/** The function returned `response`. */
export const ok = (response: unknown = null): Outcome => ({ kind: "returned", response, requestId: "r" });
/** The function threw. */
export const fail = (): Outcome => ({
  kind: "error",
  errorType: "Error",
  errorMessage: "boom",
  requestId: "req-x",
});
