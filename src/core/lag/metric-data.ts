/**
 * What `lag` asks CloudWatch (one query per metric of a consumer) and how the pages of GetMetricData
 * answers become one series per query, pure: the calls are in src/aws/cloudwatch.ts.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 */

/** One metric to fetch: Namespace, MetricName and the exact dimension set, one statistic, one period. */
export interface MetricQuery {
  /** Query id: starts with a lowercase letter, then letters, digits and `_` (CloudWatch's rule). */
  id: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  stat: string;
  periodSeconds: number;
}

/** The datapoints of one query, oldest first. */
export interface MetricSeries {
  id: string;
  points: Array<{ t: number; value: number }>;
  /** False when CloudWatch still said PartialData (or InternalError / Forbidden) after the last page. */
  complete: boolean;
  /** The last StatusCode CloudWatch gave for this query (`Missing`: it never answered it). */
  statusCode: string;
}

/** What a GetMetricData run returned. */
export interface MetricDataAnswer {
  series: Map<string, MetricSeries>;
  /** Messages CloudWatch attached to the response or to single queries. */
  messages: string[];
  /** GetMetricData requests made (pages included). */
  requests: number;
}

/** One query's part of one GetMetricData page (`MetricDataResult`), times in epoch ms. */
export interface MetricResult {
  id: string | undefined;
  timestamps: number[];
  values: number[];
  statusCode: string | undefined;
  messages: string[];
}

/** CloudWatch accepts at most this many queries per GetMetricData call. */
export const MAX_QUERIES_PER_CALL = 500;

/** The queries in calls of at most {@link MAX_QUERIES_PER_CALL}. */
export function queryCalls(queries: readonly MetricQuery[]): MetricQuery[][] {
  const calls: MetricQuery[][] = [];
  for (let i = 0; i < queries.length; i += MAX_QUERIES_PER_CALL)
    calls.push(queries.slice(i, i + MAX_QUERIES_PER_CALL));
  return calls;
}

/**
 * Gathers the pages of GetMetricData calls into one series per query: `page` for each page of a
 * call, `endCall` after its last page, `answer` at the end.
 */
export class MetricDataCollector {
  private readonly out: MetricDataAnswer = { series: new Map(), messages: [], requests: 0 };
  /** Queries of the current call that some page answered. */
  private seen = new Set<string>();

  constructor(queries: readonly MetricQuery[]) {
    for (const q of queries)
      this.out.series.set(q.id, { id: q.id, points: [], complete: true, statusCode: "Complete" });
  }

  /** One page: its messages (`Code: Value`) and its results. */
  page(messages: readonly string[], results: readonly MetricResult[]): void {
    this.out.requests++;
    this.out.messages.push(...messages);
    for (const r of results) this.merge(r);
  }

  /**
   * After a call's last page: a query of `call` that no page answered is incomplete (`Missing`), not
   * empty. `cutShort`: the pages were not followed to the end (a message says why), so every query
   * of the call is incomplete.
   */
  endCall(call: readonly MetricQuery[], cutShort?: string): void {
    if (cutShort !== undefined) this.out.messages.push(cutShort);
    for (const q of call) {
      const s = this.out.series.get(q.id);
      if (!s) continue;
      if (cutShort !== undefined) s.complete = false;
      if (!this.seen.has(q.id)) {
        s.complete = false;
        s.statusCode = "Missing";
      }
    }
    this.seen = new Set();
  }

  /** The series, points oldest first. */
  answer(): MetricDataAnswer {
    for (const s of this.out.series.values()) s.points.sort((a, b) => a.t - b.t);
    return this.out;
  }

  private merge(r: MetricResult): void {
    if (!r.id) return;
    const s = this.out.series.get(r.id);
    if (!s) return;
    this.seen.add(r.id);
    for (let i = 0; i < Math.min(r.timestamps.length, r.values.length); i++) {
      const t = r.timestamps[i] as number;
      const value = r.values[i] as number;
      if (Number.isFinite(t) && Number.isFinite(value)) s.points.push({ t, value });
    }
    // The status of the last page that mentions a query is its final status: PartialData means
    // "more on the next page"; once the pages run out, a PartialData left over is data CloudWatch
    // withheld.
    s.statusCode = r.statusCode ?? "Complete";
    s.complete = s.statusCode === "Complete";
    for (const m of r.messages) this.out.messages.push(`${r.id}: ${m}`);
  }
}
