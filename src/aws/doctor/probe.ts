/**
 * What every permission probe shares: the run's context, one probe's outcome as a check line (allowed,
 * denied with the IAM fix, throttled, or failed), a probe that could not run, and the skip rules of a
 * service DynamoDB Local lacks.
 */

import type { ServiceId } from "../../core/aws-config/endpoints.js";
import type { Env } from "../../core/aws-config/env.js";
import type { Check } from "../../core/doctor/check.js";
import { denialFix, type PermissionAction } from "../../core/doctor/permissions.js";
import { AuthError, DynastreamError } from "../../errors.js";
import { awsErrorName, isThrottle, translateAwsError } from "../errors.js";
import type { AwsRun } from "../streams.js";

/** What the probes know of the run: the clients, the environment, the clock, the caller, the endpoints that answer. */
export interface ProbeContext {
  run: AwsRun;
  env: Env;
  now: number;
  /** The caller's ARN from sts:GetCallerIdentity, named in the fixes. */
  principal: string | undefined;
  /** Whether the service's endpoint answered (src/aws/doctor/endpoints.ts). */
  reachable: (s: ServiceId) => boolean;
}

/** One probe's result as a check line; `resource` is what the fix for a denial allows the action on. */
export function probeLine(
  ctx: ProbeContext,
  action: PermissionAction,
  err: unknown,
  what: string,
  resource: string,
): Check {
  if (err === undefined)
    return {
      id: action,
      status: "ok",
      summary: `allowed (${what})`,
      data: { action, allowed: true },
    };
  // A probe made through a shared helper (src/aws/kinesis-destination.ts, dlq/sqs.ts) throws its
  // error translated: the AWS error's own name is its cause's.
  const name =
    awsErrorName(err instanceof DynastreamError && err.cause !== undefined ? err.cause : err) ?? "Error";
  const translated = translateAwsError(err, what, ctx.run.clients.settings.endpointUrl);
  if (translated instanceof AuthError) {
    return {
      id: action,
      status: "fail",
      summary: `denied (${name}) for ${what}`,
      fix: denialFix(action, resource, ctx.principal),
      data: { action, allowed: false, error: name },
    };
  }
  if (isThrottle(err)) {
    return {
      id: action,
      status: "warn",
      summary: "throttled: not known",
      fix: "run doctor again in a moment",
      data: { action, allowed: null, error: name },
    };
  }
  return {
    id: action,
    status: "fail",
    summary: translated.message,
    ...(translated.hint ? { fix: translated.hint } : {}),
    data: { action, allowed: null, error: name },
  };
}

/** A probe that could not run, and why. */
export function skipped(action: PermissionAction, why: string): Check {
  return {
    id: action,
    status: "skip",
    summary: `not checked: ${why}`,
    data: { action, allowed: null },
  };
}

/** Runs `fn`; its error, or undefined when it succeeded. */
export async function attempt(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
    return undefined;
  } catch (e) {
    return e ?? new Error("failed");
  }
}

/** The calls of {@link shardReadChecks} for one kind of stream, and its actions in order. */
export interface ShardReads {
  /** Finds one shard (DescribeStream Limit 1, ListShards MaxResults 1); `listing` names that call. */
  find: { action: PermissionAction; what: string; listing: string; noShard: string };
  findShard: () => Promise<string | undefined>;
  /** The iterator at LATEST of that shard, then one GetRecords (Limit 1) with it. */
  actions: readonly [iterator: PermissionAction, records: PermissionAction];
  iterator: (shardId: string) => Promise<string | undefined>;
  records: (iterator: string) => Promise<unknown>;
  /** How the check lines name the shard. */
  shardWhat: (shardId: string) => string;
}

/**
 * A stream's read probes (DynamoDB stream or Kinesis): find one shard, take an iterator on it, read
 * one page; a step that found nothing skips the ones after it, saying why. `line` makes a probe's check.
 */
export async function shardReadChecks(
  line: (action: PermissionAction, err: unknown, what: string) => Check,
  s: ShardReads,
): Promise<Check[]> {
  const [itAction, grAction] = s.actions;
  let shardId: string | undefined;
  const findErr = await attempt(async () => {
    shardId = await s.findShard();
  });
  const out = [line(s.find.action, findErr, s.find.what)];
  if (!shardId) {
    const why = findErr ? `${s.find.listing} failed` : s.find.noShard;
    return [...out, skipped(itAction, why), skipped(grAction, why)];
  }
  const shard = shardId;
  let iterator: string | undefined;
  const itErr = await attempt(async () => {
    iterator = await s.iterator(shard);
  });
  out.push(line(itAction, itErr, s.shardWhat(shard)));
  if (!iterator) return [...out, skipped(grAction, "no shard iterator")];
  const it = iterator;
  out.push(line(grAction, await attempt(() => s.records(it)), s.shardWhat(shard)));
  return out;
}

/**
 * One read-only call to a service DynamoDB Local lacks (Lambda, CloudWatch): skipped (saying why) when
 * it is not asked (`asked`: src/aws/consumers.ts serviceAvailableFor) or does not answer, else the
 * call's outcome.
 */
export async function probeOptionalService(
  ctx: ProbeContext,
  action: PermissionAction,
  service: "LAMBDA" | "CLOUDWATCH",
  asked: boolean,
  what: string,
  call: () => Promise<unknown>,
): Promise<Check> {
  const name = service === "LAMBDA" ? "Lambda" : "CloudWatch";
  if (!asked)
    return skipped(action, `DynamoDB Local has no ${name} (set AWS_ENDPOINT_URL_${service} to ask one)`);
  if (!ctx.reachable(service)) return skipped(action, `the ${name} endpoint does not answer`);
  return probeLine(ctx, action, await attempt(call), what, "*");
}
