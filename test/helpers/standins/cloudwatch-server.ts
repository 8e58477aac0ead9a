/**
 * In-memory stand-in for Amazon CloudWatch (GetMetricData, GetMetricStatistics, ListMetrics), plus
 * `startAwsStandin()`: ONE loopback HTTP server that serves this CloudWatch stand-in AND the Lambda stand-in
 * of `./lambda-server.ts`, with fault injection and a log of every request. Point both
 * `AWS_ENDPOINT_URL_CLOUDWATCH` and `AWS_ENDPOINT_URL_LAMBDA` (or the clients' `endpoint`) at
 * `standin.endpoint`. Requests carrying `x-amz-target: GraniteServiceVersion20100801.<Op>` go to
 * CloudWatch; every other request is routed to Lambda by its REST path.
 *
 * CloudWatch wire format, as the real `@aws-sdk/client-cloudwatch` 3.1164.0 speaks it (AWS JSON 1.0 with
 * `awsQueryCompatible`): `POST /`, `content-type: application/x-amz-json-1.0`, `x-amzn-query-mode: true`,
 * timestamps as epoch SECONDS (numbers) both ways. Errors are `{"__type":"<ns>#<Shape>","message":…}`
 * plus header `x-amzn-query-error: <QueryCode>;<Sender|Receiver>`. With query compatibility the SDK
 * identifies the error by that QueryCode first, so e.g. `InvalidParameterValue` becomes
 * `InvalidParameterValueException`, while unmodelled codes (`Throttling`, `AccessDenied`) surface verbatim
 * as `err.name` on a `CloudWatchServiceException`.
 *
 * GetMetricData semantics implemented here:
 * - `MetricStat` queries only. `Expression` queries with `ReturnData: false` are validated for shape and
 *   otherwise ignored; an `Expression` query that would return data is rejected with
 *   InvalidParameterValueException (metric math is NOT evaluated; fail loudly instead of lying).
 * - Metric identity is Namespace + MetricName + the EXACT dimension set (order-insensitive).
 * - `StartTime` is rounded down to the minute when `Period >= 60`; buckets are `[start + k·Period,
 *   start + (k+1)·Period)`; only samples with `start <= t < EndTime` count; empty buckets are omitted.
 * - Stats: Maximum, Minimum, Sum, Average, SampleCount and percentiles `pNN` (nearest rank).
 * - `ScanBy` defaults to `TimestampDescending`; `Label` defaults to the metric name; `Messages: []`.
 * - Pagination: a page holds at most `min(MaxDatapoints (default 100800), options.cloudwatchMaxDatapointsPerPage)`
 *   datapoints counted across all returned queries, in query order. A query cut by the page boundary (or not
 *   reached yet) has `StatusCode: "PartialData"` and the response has a `NextToken`; later pages contain only
 *   the queries that still have datapoints left. A NextToken used with different queries/window is rejected
 *   with `InvalidNextToken`.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { EventSourceMappingConfiguration } from "@aws-sdk/client-lambda";
import {
  type AddFunctionOptions,
  type EventSourceMappingInput,
  type FaultKind,
  LambdaModel,
  lambdaError,
  lambdaFaultResponse,
  lambdaOperation,
  type StandinRequest,
  type StandinResponse,
} from "./lambda-server.js";

export type { AddFunctionOptions, EventSourceMappingInput, FaultKind, StandinRequest, StandinResponse };

// ---------------------------------------------------------------------------------------------------------
// CloudWatch model
// ---------------------------------------------------------------------------------------------------------

/** Identifies one CloudWatch metric (dimension order does not matter). */
export interface MetricSpec {
  namespace: string;
  metricName: string;
  dimensions?: Record<string, string>;
  /** CloudWatch unit of the samples, e.g. "Milliseconds", "Count"; matched against a query's `Unit`. */
  unit?: string;
}

/** One sample: time as a Date or epoch MILLISECONDS, and its value. */
export interface DatapointInput {
  t: Date | number;
  value: number;
}

/** A statistic CloudWatch can compute: the five standard ones or a percentile such as `p99`. */
export type CloudWatchStat = "Maximum" | "Minimum" | "Sum" | "Average" | "SampleCount" | `p${number}`;

interface Sample {
  tMs: number;
  value: number;
  unit: string | undefined;
}

interface StoredMetric {
  namespace: string;
  metricName: string;
  dimensions: { Name: string; Value: string }[];
  /** Raw samples: every statistic is computed from them. */
  raw: Sample[];
  /** Pre-aggregated values that answer one statistic only (see `putDatapoints`). */
  byStat: Map<string, Sample[]>;
}

const STANDARD_STATS = new Set(["Maximum", "Minimum", "Sum", "Average", "SampleCount"]);
const PERCENTILE_RE = /^p(\d{1,2}(?:\.\d+)?|100(?:\.0+)?)$/;
const QUERY_ID_RE = /^[a-z][a-zA-Z0-9_]*$/;
const DEFAULT_MAX_DATAPOINTS = 100_800;

/** Thrown inside the CloudWatch handlers; carries the error response to send. */
class CloudWatchError extends Error {
  constructor(readonly response: StandinResponse) {
    super("cloudwatch error");
  }
}

/**
 * Builds a CloudWatch (JSON 1.0, query-compatible) error response.
 * @param shape the modelled shape name in `__type`, e.g. `InvalidParameterValueException`.
 * @param queryCode the awsQuery error code for `x-amzn-query-error`, e.g. `InvalidParameterValue`.
 */
export function cloudWatchError(
  status: number,
  shape: string,
  queryCode: string,
  message: string,
  opts: { fault?: "Sender" | "Receiver"; namespace?: string } = {},
): StandinResponse {
  const fault = opts.fault ?? (status >= 500 ? "Receiver" : "Sender");
  return {
    status,
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amzn-query-error": `${queryCode};${fault}`,
      "x-amzn-requestid": randomUUID(),
    },
    body: JSON.stringify({ __type: `${opts.namespace ?? "com.amazonaws.cloudwatch"}#${shape}`, message }),
  };
}

/** The response a CloudWatch fault of `kind` produces (`hang` and `partialData` are handled elsewhere). */
export function cloudWatchFaultResponse(
  kind: "throttle" | "accessDenied" | "500",
  op: string,
): StandinResponse {
  switch (kind) {
    case "throttle":
      return cloudWatchError(400, "ThrottlingException", "Throttling", "Rate exceeded", {
        namespace: "com.amazon.coral.availability",
      });
    case "accessDenied":
      return cloudWatchError(
        403,
        "AccessDeniedException",
        "AccessDenied",
        `User: arn:aws:iam::123456789012:user/standin is not authorized to perform: cloudwatch:${op} ` +
          "because no identity-based policy allows the action",
        { namespace: "com.amazon.coral.service" },
      );
    case "500":
      return cloudWatchError(
        500,
        "InternalServiceFault",
        "InternalServiceError",
        "Internal service error (stand-in)",
      );
  }
}

function invalidParam(message: string): CloudWatchError {
  return new CloudWatchError(
    cloudWatchError(400, "InvalidParameterValueException", "InvalidParameterValue", message),
  );
}

function missingParam(name: string): CloudWatchError {
  return new CloudWatchError(
    cloudWatchError(
      400,
      "MissingRequiredParameterException",
      "MissingParameter",
      `The parameter ${name} is required.`,
    ),
  );
}

function invalidCombination(message: string): CloudWatchError {
  return new CloudWatchError(
    cloudWatchError(400, "InvalidParameterCombinationException", "InvalidParameterCombination", message),
  );
}

function invalidToken(): CloudWatchError {
  return new CloudWatchError(
    cloudWatchError(400, "InvalidNextToken", "InvalidNextToken", "Invalid NextToken"),
  );
}

function cwJson(body: unknown): StandinResponse {
  return {
    status: 200,
    headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": randomUUID() },
    body: JSON.stringify(body),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function reqString(o: Record<string, unknown>, key: string, path = key): string {
  const v = o[key];
  if (v === undefined || v === null) throw missingParam(path);
  if (typeof v !== "string" || v === "")
    throw invalidParam(`The parameter ${path} must be a non-empty string.`);
  return v;
}

function reqNumber(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  if (v === undefined || v === null) throw missingParam(key);
  if (typeof v !== "number" || !Number.isFinite(v))
    throw invalidParam(`The parameter ${key} must be a number.`);
  return v;
}

function parseDimensions(v: unknown, path: string): { Name: string; Value: string }[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidParam(`The parameter ${path} must be a list.`);
  const out: { Name: string; Value: string }[] = [];
  for (const [i, d] of v.entries()) {
    if (!isRecord(d)) throw invalidParam(`The parameter ${path}.member.${i + 1} must be a structure.`);
    const Name = reqString(d, "Name", `${path}.member.${i + 1}.Name`);
    const Value = reqString(d, "Value", `${path}.member.${i + 1}.Value`);
    if (out.some((x) => x.Name === Name))
      throw invalidParam(`The collection ${path} must not have duplicate names.`);
    out.push({ Name, Value });
  }
  return out.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

function metricKey(namespace: string, metricName: string, dims: { Name: string; Value: string }[]): string {
  return JSON.stringify([namespace, metricName, dims.map((d) => [d.Name, d.Value])]);
}

function isValidStat(stat: string): stat is CloudWatchStat {
  return STANDARD_STATS.has(stat) || PERCENTILE_RE.test(stat);
}

function validatePeriod(period: unknown, path: string): number {
  if (period === undefined || period === null) throw missingParam(path);
  if (
    typeof period !== "number" ||
    !Number.isInteger(period) ||
    period <= 0 ||
    !(period % 60 === 0 || [1, 5, 10, 30].includes(period))
  ) {
    throw invalidParam(
      `The parameter ${path} must be 1, 5, 10, 30 or a multiple of 60 (got ${JSON.stringify(period)}).`,
    );
  }
  return period;
}

/** Computes `stat` over raw sample values (nearest-rank percentiles). */
function aggregate(stat: string, values: number[]): number {
  switch (stat) {
    case "Maximum":
      return values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
    case "Minimum":
      return values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    case "Sum":
      return values.reduce((a, b) => a + b, 0);
    case "Average":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "SampleCount":
      return values.length;
    default: {
      const p = Number(stat.slice(1));
      const sorted = [...values].sort((a, b) => a - b);
      const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
      return sorted[idx] ?? Number.NaN;
    }
  }
}

/** Combines several pre-aggregated values of `stat` that fall into one bucket. */
function combine(stat: string, values: number[]): number {
  switch (stat) {
    case "Sum":
    case "SampleCount":
      return values.reduce((a, b) => a + b, 0);
    case "Minimum":
      return values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    case "Average":
      return values.reduce((a, b) => a + b, 0) / values.length;
    default:
      return values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  }
}

interface EvaluatedQuery {
  id: string;
  label: string;
  /** [epoch seconds, value], in ScanBy order. */
  points: [number, number][];
}

/** Per-request knobs the server passes to {@link CloudWatchModel.handle}. */
export interface CloudWatchHandleOptions {
  /** Server-side cap on datapoints per GetMetricData page (on top of the request's MaxDatapoints). */
  maxDatapointsPerPage?: number;
  /** Metrics per ListMetrics page (AWS: 500). */
  listMetricsPageSize?: number;
  /** Cut this GetMetricData page in half and mark it PartialData (the `partialData` fault). */
  partialData?: boolean;
}

/** The CloudWatch stand-in's metric store and request handler. */
export class CloudWatchModel {
  private readonly metrics = new Map<string, StoredMetric>();

  /**
   * Stores samples of a metric. Without `stat` they are RAW samples and every statistic is computed from
   * them (e.g. two samples 3 and 5 in one minute: Maximum 5, Sum 8, SampleCount 2). With `stat` the values
   * are pre-aggregated values of that statistic only: a query for that statistic uses them (for buckets
   * that have any) instead of the raw samples, and other statistics never see them.
   */
  putDatapoints(metric: MetricSpec, points: readonly DatapointInput[], stat?: CloudWatchStat): void {
    if (stat !== undefined && !isValidStat(stat)) throw new Error(`invalid statistic: ${stat}`);
    const dims = Object.entries(metric.dimensions ?? {})
      .map(([Name, Value]) => ({ Name, Value }))
      .sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
    const key = metricKey(metric.namespace, metric.metricName, dims);
    let m = this.metrics.get(key);
    if (!m) {
      m = {
        namespace: metric.namespace,
        metricName: metric.metricName,
        dimensions: dims,
        raw: [],
        byStat: new Map(),
      };
      this.metrics.set(key, m);
    }
    let target = m.raw;
    if (stat !== undefined) {
      target = m.byStat.get(stat) ?? [];
      m.byStat.set(stat, target);
    }
    for (const p of points) {
      const tMs = p.t instanceof Date ? p.t.getTime() : p.t;
      if (!Number.isFinite(tMs) || !Number.isFinite(p.value))
        throw new Error(`invalid datapoint ${String(p.t)}`);
      target.push({ tMs, value: p.value, unit: metric.unit });
    }
  }

  /** Removes every stored metric. */
  clear(): void {
    this.metrics.clear();
  }

  /** Answers one CloudWatch operation given its parsed JSON body (no fault handling here). */
  handle(op: string, body: string, opts: CloudWatchHandleOptions = {}): StandinResponse {
    try {
      let input: unknown;
      try {
        input = body === "" ? {} : JSON.parse(body);
      } catch {
        return cloudWatchError(
          400,
          "SerializationException",
          "SerializationException",
          "Malformed JSON body",
        );
      }
      if (!isRecord(input)) throw invalidParam("The request body must be a JSON object.");
      switch (op) {
        case "GetMetricData":
          return this.getMetricData(input, opts);
        case "GetMetricStatistics":
          return this.getMetricStatistics(input);
        case "ListMetrics":
          return this.listMetrics(input, opts.listMetricsPageSize ?? 500);
        default:
          return cloudWatchError(
            400,
            "UnknownOperationException",
            "UnknownOperationException",
            `The stand-in does not implement ${op}`,
          );
      }
    } catch (e) {
      if (e instanceof CloudWatchError) return e.response;
      throw e;
    }
  }

  /** Aligned bucket values of one metric/stat in [start, end), ascending; `[epochSeconds, value]`. */
  private evaluate(
    key: string,
    period: number,
    stat: string,
    unit: string | undefined,
    startSec: number,
    endSec: number,
  ): [number, number][] {
    const m = this.metrics.get(key);
    if (!m) return [];
    const aligned = period >= 60 ? Math.floor(startSec / 60) * 60 : Math.floor(startSec);
    const buckets = new Map<number, { raw: number[]; pre: number[] }>();
    const add = (samples: readonly Sample[], kind: "raw" | "pre"): void => {
      for (const s of samples) {
        const t = s.tMs / 1000;
        if (t < aligned || t >= endSec) continue;
        if (unit !== undefined && s.unit !== unit) continue;
        const b = aligned + Math.floor((t - aligned) / period) * period;
        let entry = buckets.get(b);
        if (!entry) {
          entry = { raw: [], pre: [] };
          buckets.set(b, entry);
        }
        entry[kind].push(s.value);
      }
    };
    add(m.raw, "raw");
    add(m.byStat.get(stat) ?? [], "pre");
    const out: [number, number][] = [];
    for (const [b, { raw, pre }] of buckets) {
      out.push([b, pre.length > 0 ? combine(stat, pre) : aggregate(stat, raw)]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  }

  private getMetricData(input: Record<string, unknown>, opts: CloudWatchHandleOptions): StandinResponse {
    const queries = input.MetricDataQueries;
    if (queries === undefined || queries === null) throw missingParam("MetricDataQueries");
    if (!Array.isArray(queries) || queries.length === 0) {
      throw invalidParam("The parameter MetricDataQueries must contain at least one query.");
    }
    if (queries.length > 500)
      throw invalidParam("The parameter MetricDataQueries must contain at most 500 queries.");
    const start = reqNumber(input, "StartTime");
    const end = reqNumber(input, "EndTime");
    if (start >= end) throw invalidParam("The parameter StartTime must be less than the parameter EndTime.");
    const scanBy = input.ScanBy ?? "TimestampDescending";
    if (scanBy !== "TimestampDescending" && scanBy !== "TimestampAscending") {
      throw invalidParam(`The parameter ScanBy has an invalid value ${JSON.stringify(scanBy)}.`);
    }
    const maxDp = input.MaxDatapoints ?? DEFAULT_MAX_DATAPOINTS;
    if (typeof maxDp !== "number" || !Number.isInteger(maxDp) || maxDp < 1) {
      throw invalidParam("The parameter MaxDatapoints must be a positive integer.");
    }

    const seen = new Set<string>();
    const results: EvaluatedQuery[] = [];
    for (const [i, q] of queries.entries()) {
      const path = `MetricDataQueries.member.${i + 1}`;
      if (!isRecord(q)) throw invalidParam(`The parameter ${path} must be a structure.`);
      const id = reqString(q, "Id", `${path}.Id`);
      if (!QUERY_ID_RE.test(id)) throw invalidParam(`The value ${id} for parameter ${path}.Id is not valid.`);
      if (seen.has(id)) throw invalidParam(`The value ${id} for parameter ${path}.Id is not unique.`);
      seen.add(id);
      const returnData = q.ReturnData !== false;
      const hasStat = q.MetricStat !== undefined && q.MetricStat !== null;
      const hasExpr = q.Expression !== undefined && q.Expression !== null;
      if (hasStat === hasExpr) {
        throw invalidParam(`Exactly one of ${path}.MetricStat and ${path}.Expression must be specified.`);
      }
      if (hasExpr) {
        if (typeof q.Expression !== "string")
          throw invalidParam(`The parameter ${path}.Expression must be a string.`);
        if (returnData) {
          throw invalidParam(
            `stand-in: metric math is not supported (${path}.Expression ${JSON.stringify(q.Expression)}); ` +
              "set ReturnData:false or use MetricStat queries",
          );
        }
        continue;
      }
      const ms = q.MetricStat;
      if (!isRecord(ms)) throw invalidParam(`The parameter ${path}.MetricStat must be a structure.`);
      const metric = ms.Metric;
      if (!isRecord(metric)) throw missingParam(`${path}.MetricStat.Metric`);
      const namespace = reqString(metric, "Namespace", `${path}.MetricStat.Metric.Namespace`);
      const metricName = reqString(metric, "MetricName", `${path}.MetricStat.Metric.MetricName`);
      const dims = parseDimensions(metric.Dimensions, `${path}.MetricStat.Metric.Dimensions`);
      const period = validatePeriod(ms.Period, `${path}.MetricStat.Period`);
      const stat = reqString(ms, "Stat", `${path}.MetricStat.Stat`);
      if (!isValidStat(stat))
        throw invalidParam(`The value ${stat} for parameter ${path}.MetricStat.Stat is not valid.`);
      const unit = ms.Unit;
      if (unit !== undefined && typeof unit !== "string")
        throw invalidParam(`${path}.MetricStat.Unit must be a string`);
      if (!returnData) continue;
      const points = this.evaluate(metricKey(namespace, metricName, dims), period, stat, unit, start, end);
      if (scanBy === "TimestampDescending") points.reverse();
      const label = typeof q.Label === "string" && q.Label !== "" ? q.Label : metricName;
      results.push({ id, label, points });
    }

    // Pagination over the concatenation of every returned query's datapoints.
    const fingerprint = createHash("sha256")
      .update(JSON.stringify([queries, start, end, scanBy]))
      .digest("hex")
      .slice(0, 16);
    let offset = 0;
    if (input.NextToken !== undefined && input.NextToken !== null) {
      if (typeof input.NextToken !== "string") throw invalidToken();
      const tok = decodeToken(input.NextToken, "cw-gmd");
      if (!tok || tok.f !== fingerprint) throw invalidToken();
      offset = tok.o;
    }
    const total = results.reduce((n, r) => n + r.points.length, 0);
    let limit = Math.min(maxDp, opts.maxDatapointsPerPage ?? Number.POSITIVE_INFINITY);
    if (opts.partialData) limit = Math.floor(Math.min(limit, Math.max(0, total - offset)) / 2);
    const pageEnd = Math.min(total, offset + limit);
    const out: Record<string, unknown>[] = [];
    let qStart = 0;
    for (const r of results) {
      const qEnd = qStart + r.points.length;
      if (offset === 0 || qEnd > offset) {
        const from = Math.max(0, offset - qStart);
        const to = Math.max(from, Math.min(r.points.length, pageEnd - qStart));
        const slice = r.points.slice(from, to);
        const complete = qEnd <= pageEnd && !opts.partialData;
        out.push({
          Id: r.id,
          Label: r.label,
          Timestamps: slice.map((p) => p[0]),
          Values: slice.map((p) => p[1]),
          StatusCode: complete ? "Complete" : "PartialData",
          Messages: [],
        });
      }
      qStart = qEnd;
    }
    const more = pageEnd < total || opts.partialData === true;
    return cwJson({
      MetricDataResults: out,
      ...(more ? { NextToken: encodeToken({ s: "cw-gmd", f: fingerprint, o: pageEnd }) } : {}),
      Messages: [],
    });
  }

  private getMetricStatistics(input: Record<string, unknown>): StandinResponse {
    const namespace = reqString(input, "Namespace");
    const metricName = reqString(input, "MetricName");
    const start = reqNumber(input, "StartTime");
    const end = reqNumber(input, "EndTime");
    if (start >= end) throw invalidParam("The parameter StartTime must be less than the parameter EndTime.");
    const period = validatePeriod(input.Period, "Period");
    const dims = parseDimensions(input.Dimensions, "Dimensions");
    const unit = typeof input.Unit === "string" ? input.Unit : undefined;
    const stats = Array.isArray(input.Statistics) ? input.Statistics : [];
    const ext = Array.isArray(input.ExtendedStatistics) ? input.ExtendedStatistics : [];
    if (stats.length === 0 && ext.length === 0) {
      throw invalidCombination("Must specify either Statistics or ExtendedStatistics.");
    }
    if (stats.length > 0 && ext.length > 0) {
      throw invalidCombination("Cannot specify both Statistics and ExtendedStatistics.");
    }
    for (const s of stats) {
      if (typeof s !== "string" || !STANDARD_STATS.has(s))
        throw invalidParam(`Invalid statistic ${String(s)}.`);
    }
    for (const s of ext) {
      if (typeof s !== "string" || !PERCENTILE_RE.test(s))
        throw invalidParam(`Invalid extended statistic ${String(s)}.`);
    }
    const aligned = period >= 60 ? Math.floor(start / 60) * 60 : Math.floor(start);
    const buckets = Math.ceil((end - aligned) / period);
    if (buckets > 1440) {
      throw invalidCombination(
        `You have requested up to ${buckets} datapoints, which exceeds the limit of 1440. ` +
          "You may reduce the datapoints requested by increasing Period, or decreasing the time range.",
      );
    }
    const key = metricKey(namespace, metricName, dims);
    const byTs = new Map<number, Record<string, unknown>>();
    const row = (ts: number): Record<string, unknown> => {
      let r = byTs.get(ts);
      if (!r) {
        r = { Timestamp: ts, Unit: unit ?? this.unitOf(key) ?? "None" };
        byTs.set(ts, r);
      }
      return r;
    };
    for (const s of stats as string[]) {
      for (const [ts, v] of this.evaluate(key, period, s, unit, start, end)) row(ts)[s] = v;
    }
    for (const s of ext as string[]) {
      for (const [ts, v] of this.evaluate(key, period, s, unit, start, end)) {
        const r = row(ts);
        const e = isRecord(r.ExtendedStatistics) ? r.ExtendedStatistics : {};
        e[s] = v;
        r.ExtendedStatistics = e;
      }
    }
    const datapoints = [...byTs.values()].sort((a, b) => Number(a.Timestamp) - Number(b.Timestamp));
    return cwJson({ Label: metricName, Datapoints: datapoints });
  }

  private unitOf(key: string): string | undefined {
    const m = this.metrics.get(key);
    return m?.raw.find((s) => s.unit !== undefined)?.unit;
  }

  private listMetrics(input: Record<string, unknown>, pageSize: number): StandinResponse {
    const ns = typeof input.Namespace === "string" ? input.Namespace : undefined;
    const name = typeof input.MetricName === "string" ? input.MetricName : undefined;
    const filters: { Name: string; Value?: string }[] = [];
    if (input.Dimensions !== undefined && input.Dimensions !== null) {
      if (!Array.isArray(input.Dimensions)) throw invalidParam("The parameter Dimensions must be a list.");
      for (const [i, d] of input.Dimensions.entries()) {
        if (!isRecord(d)) throw invalidParam(`The parameter Dimensions.member.${i + 1} must be a structure.`);
        const Name = reqString(d, "Name", `Dimensions.member.${i + 1}.Name`);
        filters.push(typeof d.Value === "string" ? { Name, Value: d.Value } : { Name });
      }
    }
    const recentOnly = input.RecentlyActive === "PT3H";
    const cutoff = Date.now() - 3 * 3600_000;
    const all = [...this.metrics.values()].filter((m) => {
      const samples = [...m.raw, ...[...m.byStat.values()].flat()];
      if (samples.length === 0) return false;
      if (recentOnly && !samples.some((s) => s.tMs >= cutoff)) return false;
      if (ns !== undefined && m.namespace !== ns) return false;
      if (name !== undefined && m.metricName !== name) return false;
      return filters.every((f) =>
        m.dimensions.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value)),
      );
    });
    let offset = 0;
    if (input.NextToken !== undefined && input.NextToken !== null) {
      const tok = typeof input.NextToken === "string" ? decodeToken(input.NextToken, "cw-lm") : undefined;
      if (!tok) throw invalidToken();
      offset = tok.o;
    }
    const size = Math.max(1, pageSize);
    const page = all.slice(offset, offset + size);
    const next =
      offset + size < all.length ? encodeToken({ s: "cw-lm", f: "", o: offset + size }) : undefined;
    return cwJson({
      Metrics: page.map((m) => ({
        Namespace: m.namespace,
        MetricName: m.metricName,
        Dimensions: m.dimensions,
      })),
      ...(next !== undefined ? { NextToken: next } : {}),
    });
  }
}

interface PageToken {
  s: string;
  f: string;
  o: number;
}

function encodeToken(t: PageToken): string {
  return Buffer.from(JSON.stringify(t)).toString("base64url");
}

function decodeToken(token: string, scope: string): PageToken | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (isRecord(v) && v.s === scope && typeof v.f === "string" && typeof v.o === "number") {
      if (Number.isInteger(v.o) && v.o >= 0) return { s: v.s, f: v.f, o: v.o };
    }
  } catch {
    // not a token this stand-in issued
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Combined server: CloudWatch + Lambda, faults, request log
// ---------------------------------------------------------------------------------------------------------

/** The service a request was routed to. */
export type StandinService = "cloudwatch" | "lambda";

/** A fault to inject into the next matching request(s). */
export interface FaultSpec {
  service: StandinService;
  /** Operation name (e.g. "GetMetricData", "ListEventSourceMappings"); omitted = any operation. */
  op?: string;
  /** How many matching requests fail; default 1. `Infinity` is allowed. */
  times?: number;
  /** Let this many matching requests through unharmed first (default 0), e.g. 1 = fail the second page. */
  skip?: number;
  kind: FaultKind;
}

/** One received request, as logged by the stand-in. */
export interface StandinLogEntry {
  /** 1-based arrival order. */
  seq: number;
  at: Date;
  service: StandinService | "unknown";
  /** Operation: the x-amz-target suffix for CloudWatch, resolved from the path for Lambda. */
  op: string;
  method: string;
  /** Request path (percent-encoded as received). */
  path: string;
  /** Decoded query-string parameters. */
  query: Record<string, string>;
  /** The `x-amz-target` header, if any. */
  target: string | undefined;
  headers: Record<string, string>;
  /** The body parsed as JSON when possible, else the raw text; `undefined` when empty. */
  body: unknown;
  /** The injected fault that answered this request, if any. */
  fault: FaultKind | undefined;
  /** Response status; `undefined` while unanswered (e.g. a `hang` fault). */
  status: number | undefined;
}

/** Live, mutable options of a running stand-in (read on every request). */
export interface AwsStandinOptions {
  /** ListEventSourceMappings page size cap (AWS: 100). Make it small to exercise NextMarker. */
  lambdaPageSize: number;
  /** Server-side cap on GetMetricData datapoints per page, to force NextToken (default: none). */
  cloudwatchMaxDatapointsPerPage: number | undefined;
  /** ListMetrics page size (AWS: 500). */
  listMetricsPageSize: number;
}

/** A running stand-in for CloudWatch and Lambda; see {@link startAwsStandin}. */
export interface AwsStandin {
  /** `http://127.0.0.1:<port>`: use as endpoint for both CloudWatchClient and LambdaClient. */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** Direct access to the Lambda model. */
  readonly lambda: LambdaModel;
  /** Direct access to the CloudWatch model. */
  readonly cloudwatch: CloudWatchModel;
  /** Registers a Lambda function (for GetFunction); returns its ARN. */
  addFunction(name: string, opts?: AddFunctionOptions): string;
  /** Adds an event source mapping (defaults filled in); returns its UUID. */
  addEventSourceMapping(m: EventSourceMappingInput): string;
  /** Shallow-merges fields into an existing mapping. */
  updateEventSourceMapping(uuid: string, patch: Partial<EventSourceMappingConfiguration>): void;
  /** Deletes a mapping; returns whether it existed. */
  removeEventSourceMapping(uuid: string): boolean;
  /** Stores CloudWatch samples; see {@link CloudWatchModel.putDatapoints}. */
  putDatapoints(metric: MetricSpec, points: readonly DatapointInput[], stat?: CloudWatchStat): void;
  readonly faults: {
    /** Queues a fault; faults are consumed in injection order by the first matching request. */
    inject(spec: FaultSpec): void;
    /** Drops every queued fault. */
    clear(): void;
    /** Faults not yet used up, with their remaining counts (`skip` = passes still to let through). */
    pending(): (FaultSpec & { remaining: number })[];
  };
  /** Live options; assign to change behaviour mid-test. */
  readonly options: AwsStandinOptions;
  /** Every request received so far, in arrival order (live array). */
  readonly requests: readonly StandinLogEntry[];
  /** The logged requests of one service (and operation). */
  requestsFor(service: StandinService, op?: string): StandinLogEntry[];
  /** Counts of requests by `"<service>.<op>"`. */
  stats(): Record<string, number>;
  /** Empties the request log. */
  clearRequests(): void;
  /** Clears data, faults and the request log (options are kept). */
  reset(): void;
  /** Closes the server and every socket, including hanging requests. Idempotent. */
  stop(): Promise<void>;
}

/** Options for {@link startAwsStandin}. */
export interface StartAwsStandinOptions extends Partial<AwsStandinOptions> {
  region?: string;
  accountId?: string;
}

const CW_TARGET_PREFIX = "GraniteServiceVersion20100801.";
const MAX_BODY_BYTES = 16 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseLoggedBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Starts the combined CloudWatch + Lambda stand-in on 127.0.0.1 (random port).
 *
 * @example
 * const aws = await startAwsStandin({ lambdaPageSize: 3 });
 * const fn = aws.addFunction("consumer");
 * aws.addEventSourceMapping({ EventSourceArn: streamArn, FunctionArn: fn, MetricsConfig: { Metrics: ["EventCount"] } });
 * aws.putDatapoints({ namespace: "AWS/Lambda", metricName: "IteratorAge", dimensions: { FunctionName: "consumer" } },
 *   [{ t: Date.now() - 120_000, value: 1500 }]);
 * aws.faults.inject({ service: "cloudwatch", op: "GetMetricData", kind: "throttle" });
 * process.env.AWS_ENDPOINT_URL_CLOUDWATCH = process.env.AWS_ENDPOINT_URL_LAMBDA = aws.endpoint;
 * // … run the CLI / clients …
 * assert.equal(aws.requestsFor("cloudwatch", "GetMetricData").length, 2);
 * await aws.stop();
 */
export async function startAwsStandin(opts: StartAwsStandinOptions = {}): Promise<AwsStandin> {
  const lambda = new LambdaModel({
    ...(opts.region !== undefined ? { region: opts.region } : {}),
    ...(opts.accountId !== undefined ? { accountId: opts.accountId } : {}),
  });
  const cloudwatch = new CloudWatchModel();
  const options: AwsStandinOptions = {
    lambdaPageSize: opts.lambdaPageSize ?? 100,
    cloudwatchMaxDatapointsPerPage: opts.cloudwatchMaxDatapointsPerPage,
    listMetricsPageSize: opts.listMetricsPageSize ?? 500,
  };
  const faults: (FaultSpec & { remaining: number; toSkip: number })[] = [];
  const requests: StandinLogEntry[] = [];
  const sockets = new Set<Socket>();
  let seq = 0;

  const takeFault = (service: StandinService, op: string): FaultKind | undefined => {
    for (const f of faults) {
      if (f.remaining <= 0 || f.service !== service || (f.op !== undefined && f.op !== op)) continue;
      if (f.kind === "partialData" && op !== "GetMetricData") continue;
      if (f.toSkip > 0) {
        f.toSkip -= 1;
        continue;
      }
      f.remaining -= 1;
      if (f.remaining <= 0) faults.splice(faults.indexOf(f), 1);
      return f.kind;
    }
    return undefined;
  };

  const dispatch = (sreq: StandinRequest, entry: StandinLogEntry): StandinResponse | "hang" => {
    if (entry.service === "unknown") {
      return lambdaError(
        404,
        "UnknownOperationException",
        `No stand-in route for ${sreq.method} ${sreq.path}`,
      );
    }
    const fault = takeFault(entry.service, entry.op);
    entry.fault = fault;
    if (fault === "hang") return "hang";
    if (entry.service === "cloudwatch") {
      if (fault !== undefined && fault !== "partialData") return cloudWatchFaultResponse(fault, entry.op);
      if (sreq.method !== "POST") {
        return cloudWatchError(
          400,
          "UnknownOperationException",
          "UnknownOperationException",
          "Expected POST /",
        );
      }
      return cloudwatch.handle(entry.op, sreq.body, {
        ...(options.cloudwatchMaxDatapointsPerPage !== undefined
          ? { maxDatapointsPerPage: options.cloudwatchMaxDatapointsPerPage }
          : {}),
        listMetricsPageSize: options.listMetricsPageSize,
        partialData: fault === "partialData",
      });
    }
    if (fault !== undefined && fault !== "partialData") return lambdaFaultResponse(fault, entry.op);
    lambda.pageSize = options.lambdaPageSize;
    return lambda.handle(sreq);
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBody(req);
    const url = new URL(req.url ?? "/", "http://standin.invalid");
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
    }
    const target = headers["x-amz-target"];
    let service: StandinService | "unknown" = "unknown";
    let op = "Unknown";
    if (target !== undefined) {
      if (target.startsWith(CW_TARGET_PREFIX)) {
        service = "cloudwatch";
        op = target.slice(CW_TARGET_PREFIX.length);
      }
    } else if (/^\/20\d\d-\d\d-\d\d\//.test(url.pathname)) {
      service = "lambda";
      op = lambdaOperation(req.method ?? "GET", url.pathname);
    }
    const entry: StandinLogEntry = {
      seq: ++seq,
      at: new Date(),
      service,
      op,
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      target,
      headers,
      body: parseLoggedBody(text ?? ""),
      fault: undefined,
      status: undefined,
    };
    requests.push(entry);
    let response: StandinResponse | "hang";
    if (text === undefined) {
      response = lambdaError(413, "RequestTooLargeException", "Request body too large");
    } else {
      const sreq: StandinRequest = {
        method: entry.method,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: text,
      };
      try {
        response = dispatch(sreq, entry);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        response =
          service === "cloudwatch"
            ? cloudWatchError(500, "InternalServiceFault", "InternalServiceError", `stand-in bug: ${msg}`)
            : lambdaError(500, "ServiceException", `stand-in bug: ${msg}`, { type: "Service" });
      }
    }
    if (response === "hang") return; // never answered; stop() or the client closes the socket
    entry.status = response.status;
    res.writeHead(response.status, {
      ...response.headers,
      "content-length": Buffer.byteLength(response.body),
    });
    res.end(response.body);
  };

  const server = createServer((req, res) => {
    onRequest(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(e));
      } else {
        res.destroy();
      }
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    region: lambda.region,
    accountId: lambda.accountId,
    lambda,
    cloudwatch,
    addFunction: (name, o) => lambda.addFunction(name, o),
    addEventSourceMapping: (m) => lambda.addEventSourceMapping(m),
    updateEventSourceMapping: (uuid, patch) => lambda.updateEventSourceMapping(uuid, patch),
    removeEventSourceMapping: (uuid) => lambda.removeEventSourceMapping(uuid),
    putDatapoints: (metric, points, stat) => cloudwatch.putDatapoints(metric, points, stat),
    faults: {
      inject(spec) {
        const times = spec.times ?? 1;
        if (!(times >= 1)) throw new Error(`fault times must be >= 1 (got ${times})`);
        if (
          spec.kind === "partialData" &&
          (spec.service !== "cloudwatch" || (spec.op ?? "GetMetricData") !== "GetMetricData")
        ) {
          throw new Error("partialData faults apply to cloudwatch GetMetricData only");
        }
        faults.push({ ...spec, remaining: times, toSkip: spec.skip ?? 0 });
      },
      clear() {
        faults.length = 0;
      },
      pending: () => faults.map(({ toSkip, ...f }) => ({ ...f, skip: toSkip })),
    },
    options,
    requests,
    requestsFor: (service, op) =>
      requests.filter((r) => r.service === service && (op === undefined || r.op === op)),
    stats() {
      const out: Record<string, number> = {};
      for (const r of requests) out[`${r.service}.${r.op}`] = (out[`${r.service}.${r.op}`] ?? 0) + 1;
      return out;
    },
    clearRequests() {
      requests.length = 0;
    },
    reset() {
      cloudwatch.clear();
      lambda.clear();
      faults.length = 0;
      requests.length = 0;
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
      return stopped;
    },
  };
}
