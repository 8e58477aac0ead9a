/**
 * CloudWatch GetMetricData for `lag`: every metric of every consumer in one call (up to 500 queries
 * per call, the API's limit), all pages (NextToken), with PartialData and per-query status handled.
 */
import type { MetricDataQuery, MetricDataResult } from "@aws-sdk/client-cloudwatch";
import { type AwsRun, call } from "./streams.js";

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
  /** The last StatusCode CloudWatch gave for this query. */
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

/** CloudWatch accepts at most this many queries per GetMetricData call. */
export const MAX_QUERIES_PER_CALL = 500;
const MAX_PAGES = 1000;

/**
 * Fetches every query over `[startMs, endMs)` with GetMetricData: one call per 500 queries (one call
 * for any realistic stream), following NextToken until CloudWatch has sent everything.
 */
export async function getMetricData(
  run: AwsRun,
  queries: readonly MetricQuery[],
  startMs: number,
  endMs: number,
): Promise<MetricDataAnswer> {
  const answer: MetricDataAnswer = { series: new Map(), messages: [], requests: 0 };
  if (queries.length === 0) return answer;
  const { GetMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
  const client = await run.clients.cloudwatch();
  for (const q of queries)
    answer.series.set(q.id, { id: q.id, points: [], complete: true, statusCode: "Complete" });
  for (let i = 0; i < queries.length; i += MAX_QUERIES_PER_CALL) {
    const chunk = queries.slice(i, i + MAX_QUERIES_PER_CALL);
    const seen = new Set<string>();
    const MetricDataQueries: MetricDataQuery[] = chunk.map((q) => ({
      Id: q.id,
      MetricStat: {
        Metric: {
          Namespace: q.namespace,
          MetricName: q.metricName,
          Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
        },
        Period: q.periodSeconds,
        Stat: q.stat,
      },
      ReturnData: true,
    }));
    let token: string | undefined;
    for (let page = 0; ; page++) {
      const input = {
        MetricDataQueries,
        StartTime: new Date(startMs),
        EndTime: new Date(endMs),
        ScanBy: "TimestampAscending" as const,
        ...(token ? { NextToken: token } : {}),
      };
      answer.requests++;
      const out = await call(run, "CloudWatch metrics (cloudwatch:GetMetricData)", (abortSignal) =>
        client.send(new GetMetricDataCommand(input), { abortSignal }),
      );
      for (const m of out.Messages ?? [])
        if (m.Value) answer.messages.push(m.Code ? `${m.Code}: ${m.Value}` : m.Value);
      for (const r of out.MetricDataResults ?? []) mergeResult(answer, r, seen);
      const next = out.NextToken;
      if (!next || next === token) break;
      if (page + 1 >= MAX_PAGES) {
        answer.messages.push(`stopped after ${MAX_PAGES} GetMetricData pages`);
        for (const q of chunk) {
          const s = answer.series.get(q.id);
          if (s) s.complete = false;
        }
        break;
      }
      token = next;
    }
    // A query CloudWatch never answered in this chunk is incomplete, not empty.
    for (const q of chunk) {
      if (seen.has(q.id)) continue;
      const s = answer.series.get(q.id);
      if (s) {
        s.complete = false;
        s.statusCode = "Missing";
      }
    }
  }
  for (const s of answer.series.values()) s.points.sort((a, b) => a.t - b.t);
  return answer;
}

function mergeResult(answer: MetricDataAnswer, r: MetricDataResult, seen: Set<string>): void {
  if (!r.Id) return;
  const s = answer.series.get(r.Id);
  if (!s) return;
  seen.add(r.Id);
  const ts = r.Timestamps ?? [];
  const vs = r.Values ?? [];
  for (let i = 0; i < Math.min(ts.length, vs.length); i++) {
    const t = (ts[i] as Date).getTime();
    const value = vs[i] as number;
    if (Number.isFinite(t) && Number.isFinite(value)) s.points.push({ t, value });
  }
  // The status of the last page that mentions a query is its final status: PartialData means
  // "more on the next page"; once the pages run out, a PartialData left over is data CloudWatch withheld.
  s.statusCode = r.StatusCode ?? "Complete";
  s.complete = s.statusCode === "Complete";
  for (const m of r.Messages ?? []) if (m.Value) answer.messages.push(`${r.Id}: ${m.Value}`);
}
