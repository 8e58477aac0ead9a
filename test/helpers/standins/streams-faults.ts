// Scripted fault injection for the DynamoDB Streams stand-in: a queue of fault rules matched against
// each incoming request (by operation, shard and stream) before the request is answered normally.

/** Operations the stand-in answers. */
export type StandinOp =
  | "ListStreams"
  | "DescribeStream"
  | "GetShardIterator"
  | "GetRecords"
  | "DescribeTable";

/**
 * What a fault does to a matching request:
 * - `throttle`: 400 LimitExceededException; `throttling`: 400 ThrottlingException
 * - `500`: 500 InternalServerError; `503`: 503 ServiceUnavailable
 * - `reset`: send headers and part of the body, then destroy the socket
 * - `hang`: never answer (the socket is destroyed by `stop()`)
 * - `stall`: send the headers and part of the body, then nothing more (a response that stops mid-way)
 * - `expired`: ExpiredIteratorException; `trimmed`: TrimmedDataAccessException;
 *   `notfound`: ResourceNotFoundException; `validation`: ValidationException
 * - `empty`: GetRecords → no records and an iterator at the same position; DescribeStream / ListStreams →
 *   an empty, final page (simulates children not yet visible)
 * - `delay`: answer normally after `delayMs`
 * - `accessDenied`: 400 AccessDeniedException (as for a principal without the IAM permission)
 */
export type FaultKind =
  | "throttle"
  | "throttling"
  | "500"
  | "503"
  | "reset"
  | "hang"
  | "stall"
  | "expired"
  | "trimmed"
  | "notfound"
  | "validation"
  | "empty"
  | "delay"
  | "accessDenied";

/** One fault rule. */
export interface FaultSpec {
  /** Operation to match, or `*` for any. */
  op: StandinOp | "*";
  kind: FaultKind;
  /** How many matching requests fail (default 1; `Infinity` until cancelled). */
  times?: number;
  /** Let this many matching requests through unharmed before firing (default 0). */
  skip?: number;
  /**
   * Only requests about this shard: GetShardIterator's `ShardId`, the shard of a GetRecords iterator,
   * or DescribeStream's `ShardFilter.ShardId`.
   */
  shardId?: string;
  /** Only requests about this stream. */
  streamArn?: string;
  /** Error message override. */
  message?: string;
  /** For `delay`: milliseconds to wait before answering (default 1000). */
  delayMs?: number;
}

/** Handle on an injected fault. */
export interface FaultHandle {
  /** How many times it has fired. */
  fired(): number;
  /** How many more times it will fire (may be Infinity). */
  remaining(): number;
  /** Stop it from firing again. */
  cancel(): void;
}

/** The request facts a fault is matched against. */
export interface FaultTarget {
  op: StandinOp;
  shardId: string | undefined;
  streamArn: string | undefined;
}

interface Rule {
  spec: FaultSpec;
  skip: number;
  remaining: number;
  fired: number;
}

const GET_RECORDS_ONLY: ReadonlySet<FaultKind> = new Set(["expired"]);
const NO_EMPTY: ReadonlySet<StandinOp> = new Set(["GetShardIterator", "DescribeTable"]);

/** Fault rules, checked in injection order; the first live matching rule fires. */
export class FaultQueue {
  private rules: Rule[] = [];
  private total = 0;

  /** Add a rule. Throws for combinations the stand-in cannot express. */
  inject(spec: FaultSpec): FaultHandle {
    const times = spec.times ?? 1;
    if (!(times > 0)) throw new Error(`stand-in: fault times must be > 0, got ${times}`);
    if (GET_RECORDS_ONLY.has(spec.kind) && spec.op !== "GetRecords" && spec.op !== "*") {
      throw new Error(`stand-in: fault ${spec.kind} only applies to GetRecords`);
    }
    if (spec.kind === "empty" && spec.op !== "*" && NO_EMPTY.has(spec.op)) {
      throw new Error(`stand-in: fault empty does not apply to ${spec.op}`);
    }
    const rule: Rule = { spec, skip: spec.skip ?? 0, remaining: times, fired: 0 };
    this.rules.push(rule);
    return {
      fired: () => rule.fired,
      remaining: () => rule.remaining,
      cancel: () => {
        rule.remaining = 0;
        this.prune();
      },
    };
  }

  /** Remove every rule. */
  clear(): void {
    this.rules = [];
  }

  /** Number of rules that can still fire. */
  pending(): number {
    return this.rules.filter((r) => r.remaining > 0).length;
  }

  /** Total faults fired so far. */
  firedTotal(): number {
    return this.total;
  }

  /** Find the rule for this request and consume one firing, or undefined. */
  take(target: FaultTarget): FaultSpec | undefined {
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || !matches(rule.spec, target)) continue;
      if (rule.spec.kind === "empty" && NO_EMPTY.has(target.op)) continue;
      if (rule.spec.kind === "expired" && target.op !== "GetRecords") continue;
      if (rule.skip > 0) {
        rule.skip--;
        continue;
      }
      rule.remaining--;
      rule.fired++;
      this.total++;
      this.prune();
      return rule.spec;
    }
    return undefined;
  }

  private prune(): void {
    this.rules = this.rules.filter((r) => r.remaining > 0);
  }
}

function matches(spec: FaultSpec, t: FaultTarget): boolean {
  if (spec.op !== "*" && spec.op !== t.op) return false;
  if (spec.shardId !== undefined && spec.shardId !== t.shardId) return false;
  if (spec.streamArn !== undefined && spec.streamArn !== t.streamArn) return false;
  return true;
}
