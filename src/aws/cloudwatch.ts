/**
 * CloudWatch GetMetricData for `lag`: every metric of every consumer in one call (up to 500 queries
 * per call, the API's limit), all pages (NextToken), with PartialData and per-query status handled
 * (core/lag/metric-data.ts gathers the pages).
 */
import type { MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import {
  type MetricDataAnswer,
  MetricDataCollector,
  type MetricQuery,
  queryCalls,
} from "../core/lag/metric-data.js";
import { type AwsRun, call } from "./streams.js";

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
  const collector = new MetricDataCollector(queries);
  if (queries.length === 0) return collector.answer();
  const { GetMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
  const client = await run.clients.cloudwatch();
  for (const chunk of queryCalls(queries)) {
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
    let cutShort: string | undefined;
    for (let page = 0; ; page++) {
      const input = {
        MetricDataQueries,
        StartTime: new Date(startMs),
        EndTime: new Date(endMs),
        ScanBy: "TimestampAscending" as const,
        NextToken: token,
      };
      const out = await call(run, "CloudWatch metrics (cloudwatch:GetMetricData)", (abortSignal) =>
        client.send(new GetMetricDataCommand(input), { abortSignal }),
      );
      collector.page(
        (out.Messages ?? []).flatMap((m) => (m.Value ? [m.Code ? `${m.Code}: ${m.Value}` : m.Value] : [])),
        (out.MetricDataResults ?? []).map((r) => ({
          id: r.Id,
          timestamps: (r.Timestamps ?? []).map((t) => t.getTime()),
          values: r.Values ?? [],
          statusCode: r.StatusCode,
          messages: (r.Messages ?? []).flatMap((m) => (m.Value ? [m.Value] : [])),
        })),
      );
      const next = out.NextToken;
      if (!next || next === token) break;
      if (page + 1 >= MAX_PAGES) {
        cutShort = `stopped after ${MAX_PAGES} GetMetricData pages`;
        break;
      }
      token = next;
    }
    collector.endCall(chunk, cutShort);
  }
  return collector.answer();
}
