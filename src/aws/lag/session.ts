/**
 * What `lag` is asked (the validated flags) and what it keeps between the refreshes of `--watch`.
 */

import type { SeriesPoint } from "../../core/lag/series.js";
import type { LagThresholds } from "../../core/lag/verdict.js";
import type { Env } from "../consumers.js";
import type { ResolvedStream } from "../streams.js";

/** What the user asked `lag` for (flags already validated). */
export interface LagRequest {
  /** A table name or a stream ARN. */
  target: string;
  /** Also cover the table's older streams that are still listed. */
  allStreams: boolean;
  /** Only these functions (names, ARNs or `name:qualifier`); empty = all. */
  functions: string[];
  /** KCL lease tables to read. */
  kclTables: string[];
  sinceMs: number;
  periodSeconds: number;
  thresholds: LagThresholds;
  /** The environment the SDK reads endpoints from. */
  env: Env;
}

/** State kept between refreshes of `--watch`: the resolved stream, KCL history. */
export interface LagSession {
  resolved?: ResolvedStream;
  streamArns?: string[];
  kclHistory: Map<string, SeriesPoint[]>;
  /** Retention of the Kinesis data streams met (DescribeStreamSummary), by stream ARN. */
  kinesisRetentionMs: Map<string, number>;
}

/** A fresh session. */
export function newLagSession(): LagSession {
  return { kclHistory: new Map(), kinesisRetentionMs: new Map() };
}
