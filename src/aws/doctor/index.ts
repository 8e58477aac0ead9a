/**
 * `dynastream doctor`'s look at the machine and at AWS: the shared config files, the SSO token cache,
 * whether each endpoint answers, the credentials the SDK resolves, the caller's identity
 * (sts:GetCallerIdentity) and, given a table, one read-only call per permission the commands need.
 * Nothing here writes to AWS. The reasoning (which source, which fix) is src/core/doctor/.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { homedir } from "node:os";
import { join } from "node:path";
import type { EventSourceMappingConfiguration } from "@aws-sdk/client-lambda";
import { parseStreamArn } from "../../core/arn.js";
import type { Check } from "../../core/doctor/check.js";
import {
  type CredentialSource,
  credentialsFix,
  detectCredentialSource,
  sdkSourceName,
} from "../../core/doctor/credentials.js";
import {
  type ConfiguredEndpoint,
  configuredEndpoints,
  DOCTOR_SERVICES,
  endpointFix,
  resolveRegion,
  type ServiceId,
} from "../../core/doctor/endpoints.js";
import type { Env } from "../../core/doctor/env.js";
import { nodeCheck } from "../../core/doctor/node.js";
import { denialFix, type PermissionAction, permissionResource } from "../../core/doctor/permissions.js";
import { findProfile, parseIni, type SharedFiles } from "../../core/doctor/shared-files.js";
import { type KinesisDestination, liveDestinations } from "../../core/kinesis-destination.js";
import { AuthError, DynastreamError } from "../../errors.js";
import { isDynamoDBLocalArn, serviceAvailableFor } from "../consumers.js";
import { awsErrorName, isThrottle, translateAwsError } from "../errors.js";
import { describeDestinations, resolveKinesisStream } from "../kinesis-destination.js";
import type { AwsRun } from "../streams.js";

/** What the command hands over: the flags and environment of the run. */
export interface DoctorInput {
  table: string | undefined;
  profile: string | undefined;
  region: string | undefined;
  endpointUrl: string | undefined;
  env: Env;
  nodeVersion: string;
  now: number;
  /** Milliseconds to wait for an endpoint to answer. */
  probeTimeoutMs: number;
}

/** The report: every check in order, and whether the credentials were missing (exit 4). */
export interface DoctorReport {
  checks: Check[];
  credentialsMissing: boolean;
}

/** The home folder as the SDK finds it (HOME first). */
function homeOf(env: Env): string {
  return env.HOME || env.USERPROFILE || homedir();
}

function readIni(path: string): ReturnType<typeof parseIni> | undefined {
  try {
    return parseIni(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

/** The shared config and credentials files, where the SDK looks for them (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE). */
export function readSharedFiles(env: Env): SharedFiles {
  const configPath = env.AWS_CONFIG_FILE || join(homeOf(env), ".aws", "config");
  const credentialsPath = env.AWS_SHARED_CREDENTIALS_FILE || join(homeOf(env), ".aws", "credentials");
  return { configPath, credentialsPath, config: readIni(configPath), credentials: readIni(credentialsPath) };
}

/**
 * The cached SSO access token's expiry: the AWS CLI's `aws sso login` writes it to
 * ~/.aws/sso/cache/<sha1 of the sso_session name, or of the start URL for legacy profiles>.json
 * (https://docs.aws.amazon.com/sdkref/latest/guide/understanding-sso.html). Only `expiresAt` is read.
 */
export function ssoTokenExpiry(env: Env, cacheKey: string): { file: string; expiresAt: string | undefined } {
  const file = join(
    homeOf(env),
    ".aws",
    "sso",
    "cache",
    `${createHash("sha1").update(cacheKey).digest("hex")}.json`,
  );
  try {
    const token = JSON.parse(readFileSync(file, "utf8")) as { expiresAt?: unknown };
    return { file, expiresAt: typeof token.expiresAt === "string" ? token.expiresAt : undefined };
  } catch {
    return { file, expiresAt: undefined };
  }
}

/** Whether something answers HTTP at `url` (any status counts), within `timeoutMs`. */
export function probeEndpoint(url: string, timeoutMs: number): Promise<{ answers: boolean; detail: string }> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve({ answers: false, detail: "not a URL" });
      return;
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      resolve({ answers: false, detail: `unsupported scheme ${u.protocol}` });
      return;
    }
    const req = (u.protocol === "https:" ? httpsRequest : httpRequest)(
      u,
      { method: "GET", timeout: timeoutMs },
      (res) => {
        res.resume();
        resolve({ answers: true, detail: `HTTP ${res.statusCode}` });
        req.destroy();
      },
    );
    req.on("timeout", () => {
      req.destroy();
      resolve({ answers: false, detail: `no answer within ${timeoutMs} ms` });
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ answers: false, detail: e.code ?? e.message }));
    req.end();
  });
}

/** AWS's own endpoint of a service in a region, as the client computes it (undefined when it cannot). */
async function defaultEndpoint(run: AwsRun, service: ServiceId, region: string): Promise<string | undefined> {
  const c = run.clients;
  const client =
    service === "DYNAMODB"
      ? await c.dynamodb()
      : service === "DYNAMODB_STREAMS"
        ? await c.streams()
        : service === "LAMBDA"
          ? await c.lambda()
          : service === "CLOUDWATCH"
            ? await c.cloudwatch()
            : service === "KINESIS"
              ? await c.kinesis()
              : service === "SQS"
                ? await c.sqs()
                : await c.sts();
  try {
    const provider = (client.config as { endpointProvider?: (p: Record<string, unknown>) => { url: URL } })
      .endpointProvider;
    return provider?.({ Region: region, UseFIPS: false, UseDualStack: false }).url.href.replace(/\/$/, "");
  } catch {
    return undefined;
  }
}

/** The credentials check: what the chain will use, and whether the SDK resolves them. */
async function credentialsCheck(
  run: AwsRun,
  source: CredentialSource,
  input: DoctorInput,
): Promise<{ checks: Check[]; ok: boolean }> {
  const checks: Check[] = [];
  const data: Record<string, unknown> = {
    source: source.kind,
    profile: source.profile ?? null,
    files: source.files ?? [],
  };
  if (source.ssoCacheKey) {
    const token = ssoTokenExpiry(input.env, source.ssoCacheKey);
    data.ssoTokenExpiresAt = token.expiresAt ?? null;
    const expired = token.expiresAt !== undefined && Date.parse(token.expiresAt) <= input.now;
    checks.push({
      id: "sso-token",
      status: token.expiresAt === undefined || expired ? "fail" : "ok",
      summary:
        token.expiresAt === undefined
          ? `no cached SSO token (${token.file})`
          : expired
            ? `the cached SSO token expired at ${token.expiresAt}`
            : `cached SSO token valid until ${token.expiresAt}`,
      ...(token.expiresAt === undefined || expired ? { fix: credentialsFix(source) } : {}),
      data: { file: token.file, expiresAt: token.expiresAt ?? null },
    });
  }
  for (const w of source.warnings)
    checks.push({ id: "credentials-conflict", status: "warn", summary: w, fix: "unset one of them" });
  if (source.missingProfile) {
    checks.unshift({
      id: "credentials",
      status: "fail",
      summary: source.description,
      fix: credentialsFix(source),
      data,
    });
    return { checks, ok: false };
  }
  try {
    const ddb = await run.clients.dynamodb();
    const provider = ddb.config.credentials as unknown as () => Promise<{
      $source?: Record<string, unknown>;
      expiration?: Date;
    }>;
    const creds = await provider();
    const sdk = sdkSourceName(creds.$source);
    if (sdk) data.sdkSource = sdk;
    if (creds.expiration) data.expiresAt = creds.expiration.toISOString();
    checks.unshift({
      id: "credentials",
      status: "ok",
      summary: `${source.description}${creds.expiration ? `, expire at ${creds.expiration.toISOString()}` : ""}`,
      data,
    });
    return { checks, ok: true };
  } catch (e) {
    const msg = ((e as Error).message ?? String(e)).split("\n")[0];
    checks.unshift({
      id: "credentials",
      status: "fail",
      summary: `no usable credentials: ${source.kind === "none" ? source.description : `${source.description}: ${msg}`}`,
      fix: credentialsFix(source),
      data: { ...data, error: msg },
    });
    return { checks, ok: false };
  }
}

/** Runs every check. Each AWS call is bounded by the run's timeout and retries (src/aws/clients.ts). */
export async function runDoctor(run: AwsRun, input: DoctorInput): Promise<DoctorReport> {
  const checks: Check[] = [nodeCheck(input.nodeVersion, new Date(input.now).toISOString().slice(0, 10))];
  const files = readSharedFiles(input.env);
  const profileName = input.profile ?? (input.env.AWS_PROFILE || "default");
  const profile = findProfile(files, profileName);

  // Credentials.
  const source = detectCredentialSource(input.env, input.profile, files);
  const cred = await credentialsCheck(run, source, input);
  checks.push(...cred.checks);

  // Region.
  const region = resolveRegion(input.region, input.env, profile, files.configPath);
  checks.push(
    region
      ? {
          id: "region",
          status: "ok",
          summary: `${region.region} (from ${region.source})`,
          data: { ...region },
        }
      : {
          id: "region",
          status: "fail",
          summary: "no region: not in --region, AWS_REGION, AWS_DEFAULT_REGION or the profile",
          fix: `pass --region, export AWS_REGION=us-east-1, or run: aws configure set region <region>${profileName !== "default" ? ` --profile ${profileName}` : ""}`,
          data: { region: null },
        },
  );

  // Endpoints: configured ones, else AWS's own for the region. Each distinct URL is asked once.
  const configured = configuredEndpoints(input.endpointUrl, input.env, profile, files.configPath);
  const endpoints: ConfiguredEndpoint[] = [];
  for (const s of DOCTOR_SERVICES) {
    const c = configured.find((e) => e.service === s.id);
    if (c) endpoints.push(c);
    else if (region) {
      const url = await defaultEndpoint(run, s.id, region.region);
      if (url) endpoints.push({ service: s.id, url, source: "AWS" });
    }
  }
  const byUrl = new Map<string, ConfiguredEndpoint[]>();
  for (const e of endpoints) byUrl.set(e.url, [...(byUrl.get(e.url) ?? []), e]);
  const answers = new Map<string, boolean>();
  await Promise.all(
    [...byUrl.keys()].map(async (url) => {
      const r = await probeEndpoint(url, input.probeTimeoutMs);
      answers.set(url, r.answers);
      const group = byUrl.get(url) ?? [];
      const services = group.map((e) => DOCTOR_SERVICES.find((s) => s.id === e.service)?.name ?? e.service);
      const sources = [...new Set(group.map((e) => e.source))];
      const from = sources[0] === "AWS" ? "AWS" : sources.join(", ");
      checks.push({
        id: "endpoint",
        status: r.answers ? "ok" : "fail",
        summary: `${services.join(", ")}: ${url} (${from}) ${r.answers ? "answers" : `does not answer: ${r.detail}`}`,
        ...(r.answers
          ? {}
          : {
              fix:
                sources[0] === "AWS"
                  ? "check the network (proxy, VPN, firewall) and the region"
                  : endpointFix(sources[0] ?? ""),
            }),
        data: {
          url,
          services: group.map((e) => e.service),
          source: sources,
          answers: r.answers,
          detail: r.detail,
        },
      });
    }),
  );
  // Keep the endpoint lines in service order whatever finished first.
  const first = checks.findIndex((c) => c.id === "endpoint");
  if (first >= 0) {
    const lines = checks.filter((c) => c.id === "endpoint");
    const order = [...byUrl.keys()];
    lines.sort((a, b) => order.indexOf(String(a.data?.url)) - order.indexOf(String(b.data?.url)));
    checks.splice(first, lines.length, ...lines);
  }
  const endpointOf = (s: ServiceId): ConfiguredEndpoint | undefined => endpoints.find((e) => e.service === s);
  const reachable = (s: ServiceId): boolean => {
    const e = endpointOf(s);
    return e !== undefined && answers.get(e.url) === true;
  };

  if (!cred.ok || !region) {
    const why = !cred.ok ? "no usable credentials" : "no region";
    checks.push({ id: "identity", status: "skip", summary: `sts:GetCallerIdentity not checked: ${why}` });
    if (input.table)
      checks.push({ id: "permissions", status: "skip", summary: `permissions not checked: ${why}` });
    return { checks, credentialsMissing: !cred.ok };
  }

  // Identity.
  let principal: string | undefined;
  let credentialsRejected = false;
  const sts = endpointOf("STS");
  if (!reachable("STS")) {
    checks.push({
      id: "identity",
      status: "skip",
      summary: `sts:GetCallerIdentity not checked: the STS endpoint does not answer`,
    });
  } else {
    const { GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
    try {
      const out = await (await run.clients.sts()).send(new GetCallerIdentityCommand({}), {
        abortSignal: run.signal,
      });
      principal = out.Arn;
      checks.push({
        id: "identity",
        status: "ok",
        summary: `${out.Arn ?? "?"} (account ${out.Account ?? "?"})`,
        data: { arn: out.Arn ?? null, account: out.Account ?? null, userId: out.UserId ?? null },
      });
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const sdkName = awsErrorName(e);
      // An answer the STS client cannot read has no error code of its own: name its HTTP status.
      const name =
        sdkName && sdkName !== "Error" ? sdkName : status ? `HTTP ${status}` : (sdkName ?? "Error");
      const msg = ((e as Error).message ?? "").split("\n")[0];
      const translated = translateAwsError(e, "sts:GetCallerIdentity", sts?.url);
      if (translated instanceof AuthError) {
        credentialsRejected = true;
        checks.push({
          id: "identity",
          status: "fail",
          summary: `AWS rejects the credentials: ${name}: ${msg}`,
          fix: credentialsFix(source),
          data: { error: name },
        });
      } else if (sts && sts.source !== "AWS") {
        // A local endpoint (DynamoDB Local, LocalStack without STS) that does not speak STS.
        checks.push({
          id: "identity",
          status: "warn",
          summary: `sts:GetCallerIdentity: ${sts.url} (${sts.source}) does not answer as STS (${name}); identity not checked`,
          fix: "expected with DynamoDB Local; set AWS_ENDPOINT_URL_STS to an STS endpoint to check the identity",
          data: { error: name },
        });
      } else {
        checks.push({
          id: "identity",
          status: "fail",
          summary: translated.message,
          ...(translated.hint ? { fix: translated.hint } : {}),
          data: { error: name },
        });
      }
    }
  }
  if (input.table && credentialsRejected)
    checks.push({
      id: "permissions",
      status: "skip",
      summary: "permissions not checked: AWS rejects the credentials",
    });
  else if (input.table) checks.push(...(await permissionChecks(run, input, principal, reachable)));
  return { checks, credentialsMissing: credentialsRejected };
}

/** One probe's result as a check line. */
function probeLine(
  action: PermissionAction,
  err: unknown,
  what: string,
  resource: string,
  principal: string | undefined,
  endpoint: string | undefined,
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
  const translated = translateAwsError(err, what, endpoint);
  if (translated instanceof AuthError) {
    return {
      id: action,
      status: "fail",
      summary: `denied (${name}) for ${what}`,
      fix: denialFix(action, resource, principal),
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

function skipped(action: PermissionAction, why: string): Check {
  return {
    id: action,
    status: "skip",
    summary: `not checked: ${why}`,
    data: { action, allowed: null },
  };
}

/**
 * The permission probes, each a read-only call: DescribeTable, ListStreams, DescribeStream (one
 * shard), GetShardIterator (LATEST) and GetRecords (Limit 1) on that shard, ListEventSourceMappings
 * (MaxItems 1), GetMetricData (one query, five minutes). A probe that cannot run (no stream, a
 * service DynamoDB Local lacks) is skipped with the reason.
 */
async function permissionChecks(
  run: AwsRun,
  input: DoctorInput,
  principal: string | undefined,
  reachable: (s: ServiceId) => boolean,
): Promise<Check[]> {
  const out: Check[] = [];
  const target = input.table as string;
  const arnParts = parseStreamArn(target);
  const tableName = arnParts?.tableName ?? target;
  const ep = run.clients.settings.endpointUrl;
  const ddbApi = await import("@aws-sdk/client-dynamodb");
  const streamsApi = await import("@aws-sdk/client-dynamodb-streams");
  const opts = { abortSignal: run.signal };

  let tableArn: string | undefined;
  let streamArn: string | undefined = arnParts ? target : undefined;
  if (!reachable("DYNAMODB"))
    out.push(skipped("dynamodb:DescribeTable", "the DynamoDB endpoint does not answer"));
  else {
    const ddb = await run.clients.dynamodb();
    const err = await attempt(async () => {
      const t = (await ddb.send(new ddbApi.DescribeTableCommand({ TableName: tableName }), opts)).Table;
      tableArn = t?.TableArn;
      streamArn ??= t?.LatestStreamArn;
    });
    if (awsErrorName(err) === "ResourceNotFoundException") {
      out.push({
        id: "dynamodb:DescribeTable",
        status: "fail",
        summary: `table ${tableName} not found in this account and region`,
        fix: "check the table name, --region and --profile (or AWS_ENDPOINT_URL for DynamoDB Local)",
        data: { action: "dynamodb:DescribeTable", allowed: true, error: "ResourceNotFoundException" },
      });
      return out;
    }
    out.push(
      probeLine(
        "dynamodb:DescribeTable",
        err,
        `table ${tableName}`,
        tableArn ?? `arn:aws:dynamodb:*:*:table/${tableName}`,
        principal,
        ep,
      ),
    );
  }
  tableArn ??= arnParts ? target.replace(/\/stream\/.*$/, "") : undefined;
  // ListStreams is a DynamoDB Streams operation (dynamodb:ListStreams).
  const streamsOk = reachable("DYNAMODB_STREAMS");
  const tableRes = tableArn ?? `arn:aws:dynamodb:*:*:table/${tableName}`;
  if (!streamsOk) {
    for (const a of [
      "dynamodb:ListStreams",
      "dynamodb:DescribeStream",
      "dynamodb:GetShardIterator",
      "dynamodb:GetRecords",
    ] as const)
      out.push(skipped(a, "the DynamoDB Streams endpoint does not answer"));
  } else {
    const streams = await run.clients.streams();
    const listErr = await attempt(() =>
      streams.send(new streamsApi.ListStreamsCommand({ TableName: tableName, Limit: 1 }), opts),
    );
    out.push(
      probeLine(
        "dynamodb:ListStreams",
        listErr,
        `streams of ${tableName}`,
        permissionResource("dynamodb:ListStreams", tableRes),
        principal,
        ep,
      ),
    );
    if (!streamArn) {
      for (const a of [
        "dynamodb:DescribeStream",
        "dynamodb:GetShardIterator",
        "dynamodb:GetRecords",
      ] as const)
        out.push({
          ...skipped(a, `table ${tableName} has no stream`),
          status: "warn",
          fix: `enable one: dynastream enable ${tableName}`,
        });
    } else {
      let shardId: string | undefined;
      const dsErr = await attempt(async () => {
        const d = await streams.send(
          new streamsApi.DescribeStreamCommand({ StreamArn: streamArn, Limit: 1 }),
          opts,
        );
        shardId = d.StreamDescription?.Shards?.[0]?.ShardId;
      });
      out.push(
        probeLine(
          "dynamodb:DescribeStream",
          dsErr,
          `stream ${streamArn}`,
          permissionResource("dynamodb:DescribeStream", tableRes),
          principal,
          ep,
        ),
      );
      if (!shardId) {
        const why = dsErr ? "DescribeStream failed" : "the stream has no shard yet";
        out.push(skipped("dynamodb:GetShardIterator", why), skipped("dynamodb:GetRecords", why));
      } else {
        let iterator: string | undefined;
        const itErr = await attempt(async () => {
          const r = await streams.send(
            new streamsApi.GetShardIteratorCommand({
              StreamArn: streamArn,
              ShardId: shardId,
              ShardIteratorType: "LATEST",
            }),
            opts,
          );
          iterator = r.ShardIterator;
        });
        out.push(
          probeLine(
            "dynamodb:GetShardIterator",
            itErr,
            `shard ${shardId}`,
            permissionResource("dynamodb:GetShardIterator", tableRes),
            principal,
            ep,
          ),
        );
        if (!iterator) out.push(skipped("dynamodb:GetRecords", "no shard iterator"));
        else {
          const grErr = await attempt(() =>
            streams.send(new streamsApi.GetRecordsCommand({ ShardIterator: iterator, Limit: 1 }), opts),
          );
          out.push(
            probeLine(
              "dynamodb:GetRecords",
              grErr,
              `shard ${shardId}`,
              permissionResource("dynamodb:GetRecords", tableRes),
              principal,
              ep,
            ),
          );
        }
      }
    }
  }

  // Lambda and CloudWatch: DynamoDB Local has neither (unless their endpoints are set explicitly).
  const local = streamArn !== undefined && isDynamoDBLocalArn(streamArn);
  // One read-only call to a service DynamoDB Local lacks: skipped (saying why) when it is not asked
  // or does not answer, else the call's outcome.
  const probeService = async (
    action: PermissionAction,
    service: "LAMBDA" | "CLOUDWATCH",
    asked: boolean,
    what: string,
    call: () => Promise<unknown>,
  ): Promise<void> => {
    const name = service === "LAMBDA" ? "Lambda" : "CloudWatch";
    if (!asked)
      out.push(skipped(action, `DynamoDB Local has no ${name} (set AWS_ENDPOINT_URL_${service} to ask one)`));
    else if (!reachable(service)) out.push(skipped(action, `the ${name} endpoint does not answer`));
    else out.push(probeLine(action, await attempt(call), what, "*", principal, ep));
  };
  const lambdaAsked = streamArn === undefined || serviceAvailableFor("LAMBDA", streamArn, run, input.env);
  // One page (up to 100 mappings: a stream has a handful): their on-failure queues are probed below.
  let mappings: EventSourceMappingConfiguration[] | undefined;
  await probeService(
    "lambda:ListEventSourceMappings",
    "LAMBDA",
    lambdaAsked,
    "event source mappings",
    async () => {
      const { ListEventSourceMappingsCommand } = await import("@aws-sdk/client-lambda");
      const lambda = await run.clients.lambda();
      const page = await lambda.send(
        new ListEventSourceMappingsCommand({
          ...(streamArn ? { EventSourceArn: streamArn } : {}),
          MaxItems: 100,
        }),
        opts,
      );
      if (streamArn) mappings = page.EventSourceMappings ?? [];
    },
  );
  const cwAsked =
    !local || (streamArn !== undefined && serviceAvailableFor("CLOUDWATCH", streamArn, run, input.env));
  await probeService("cloudwatch:GetMetricData", "CLOUDWATCH", cwAsked, "metrics", async () => {
    const { GetMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
    const cw = await run.clients.cloudwatch();
    const end = new Date(Math.floor(input.now / 60_000) * 60_000);
    await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(end.getTime() - 5 * 60_000),
        EndTime: end,
        MaxDatapoints: 1,
        MetricDataQueries: [
          {
            Id: "doctor",
            MetricStat: {
              Metric: {
                Namespace: "AWS/DynamoDB",
                MetricName: "ReturnedRecordsCount",
                Dimensions: [{ Name: "TableName", Value: tableName }],
              },
              Period: 300,
              Stat: "Sum",
            },
          },
        ],
      }),
      opts,
    );
  });
  out.push(...(await kinesisChecks(run, tableName, tableRes, principal, reachable)));
  out.push(...(await onFailureQueueChecks(run, input, streamArn, mappings, principal, reachable)));
  return out;
}

/** Runs `fn`; its error, or undefined when it succeeded. */
async function attempt(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
    return undefined;
  } catch (e) {
    return e ?? new Error("failed");
  }
}

/**
 * The table's Kinesis Data Streams destination, what `tail --kinesis` and `shards --kinesis` read:
 * DescribeKinesisStreamingDestination on the table, then for each live destination stream
 * DescribeStreamSummary, ListShards (one page of one shard), GetShardIterator (LATEST) and GetRecords
 * (Limit 1) on that shard. All read-only. An endpoint without the destination operations (DynamoDB
 * Local answers UnknownOperationException) is skipped with the reason.
 */
async function kinesisChecks(
  run: AwsRun,
  tableName: string,
  tableRes: string,
  principal: string | undefined,
  reachable: (s: ServiceId) => boolean,
): Promise<Check[]> {
  const out: Check[] = [];
  const ep = run.clients.settings.endpointUrl;
  const action = "dynamodb:DescribeKinesisStreamingDestination";
  if (!reachable("DYNAMODB")) {
    out.push(skipped(action, "the DynamoDB endpoint does not answer"));
    return out;
  }
  const got = await describeDestinations(run, tableName, { optional: true }).then(
    (list) => ({ list, err: undefined as unknown }),
    (e: unknown) => ({ list: [] as KinesisDestination[], err: e ?? new Error("failed") }),
  );
  const err = got.err;
  if (got.list === null) {
    out.push(
      skipped(
        action,
        "the DynamoDB endpoint has no Kinesis destination operations (DynamoDB Local): no Kinesis stream to probe",
      ),
    );
    return out;
  }
  const live = liveDestinations(got.list);
  const found =
    err !== undefined
      ? ""
      : live.length === 0
        ? `: table ${tableName} has no active Kinesis destination`
        : `: ${live.map((d) => `${d.streamArn} ${d.status}`).join(", ")}`;
  out.push(
    probeLine(
      action,
      err,
      `Kinesis destinations of ${tableName}${found}`,
      permissionResource(action, tableRes),
      principal,
      ep,
    ),
  );
  if (err !== undefined || live.length === 0) return out;
  const { ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand } = await import(
    "@aws-sdk/client-kinesis"
  );
  const opts = { abortSignal: run.signal };
  for (const d of live) {
    const arn = d.streamArn;
    const line = (a: PermissionAction, e: unknown, what: string): Check =>
      probeLine(a, e, what, permissionResource(a, tableRes, arn), principal, ep);
    if (!reachable("KINESIS")) {
      for (const a of [
        "kinesis:DescribeStreamSummary",
        "kinesis:ListShards",
        "kinesis:GetShardIterator",
        "kinesis:GetRecords",
      ] as const)
        out.push(skipped(a, "the Kinesis endpoint does not answer"));
      continue;
    }
    out.push(
      line(
        "kinesis:DescribeStreamSummary",
        await attempt(() => resolveKinesisStream(run, arn)),
        `Kinesis stream ${arn}`,
      ),
    );
    const kinesis = await run.clients.kinesis();
    let shardId: string | undefined;
    const lsErr = await attempt(async () => {
      const page = await kinesis.send(new ListShardsCommand({ StreamARN: arn, MaxResults: 1 }), opts);
      shardId = page.Shards?.[0]?.ShardId;
    });
    out.push(line("kinesis:ListShards", lsErr, `shards of ${arn}`));
    if (!shardId) {
      const why = lsErr ? "ListShards failed" : "the Kinesis stream has no shard";
      out.push(skipped("kinesis:GetShardIterator", why), skipped("kinesis:GetRecords", why));
      continue;
    }
    let iterator: string | undefined;
    const itErr = await attempt(async () => {
      const r = await kinesis.send(
        new GetShardIteratorCommand({ StreamARN: arn, ShardId: shardId, ShardIteratorType: "LATEST" }),
        opts,
      );
      iterator = r.ShardIterator;
    });
    out.push(line("kinesis:GetShardIterator", itErr, `Kinesis shard ${shardId}`));
    if (!iterator) {
      out.push(skipped("kinesis:GetRecords", "no shard iterator"));
      continue;
    }
    const grErr = await attempt(() =>
      kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, StreamARN: arn, Limit: 1 }), opts),
    );
    out.push(line("kinesis:GetRecords", grErr, `Kinesis shard ${shardId}`));
  }
  return out;
}

/**
 * The SQS on-failure destinations of the stream's Lambda mappings, as `describe` and `lag` read them:
 * sqs:GetQueueUrl and sqs:GetQueueAttributes (ApproximateNumberOfMessages). `dlq` also needs
 * sqs:ReceiveMessage and sqs:ChangeMessageVisibility, which are NOT probed: receiving is not
 * read-only — it raises each message's ApproximateReceiveCount, and a queue with a redrive policy
 * moves a message to its dead-letter queue once that count passes maxReceiveCount
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html).
 */
async function onFailureQueueChecks(
  run: AwsRun,
  input: DoctorInput,
  streamArn: string | undefined,
  mappings: EventSourceMappingConfiguration[] | undefined,
  principal: string | undefined,
  reachable: (s: ServiceId) => boolean,
): Promise<Check[]> {
  const out: Check[] = [];
  const ep = run.clients.settings.endpointUrl;
  const { isQueueArn, queueBacklog, resolveQueue } = await import("../dlq/sqs.js");
  const destinations = [
    ...new Set((mappings ?? []).map((m) => m.DestinationConfig?.OnFailure?.Destination).filter((d) => !!d)),
  ] as string[];
  const queues = destinations.filter(isQueueArn);
  if (mappings === undefined || queues.length === 0) {
    const others =
      destinations.length > 0
        ? ` (other on-failure destinations, not checked: ${destinations.join(", ")})`
        : "";
    out.push({
      id: "sqs",
      status: "skip",
      summary:
        mappings === undefined
          ? "on-failure queues not checked: the stream's Lambda mappings were not listed"
          : `on-failure queues: none of the stream's Lambda mappings sends failures to an SQS queue${others}`,
    });
    return out;
  }
  const notProbed =
    "sqs:ReceiveMessage and sqs:ChangeMessageVisibility (dlq) not probed: receiving is not read-only (it raises the receive count and can move messages to the queue's redrive dead-letter queue)";
  for (const q of queues) {
    const why =
      streamArn !== undefined && !serviceAvailableFor("SQS", streamArn, run, input.env)
        ? "DynamoDB Local has no SQS (set AWS_ENDPOINT_URL_SQS to ask one)"
        : !reachable("SQS")
          ? "the SQS endpoint does not answer"
          : undefined;
    if (why) {
      out.push(skipped("sqs:GetQueueUrl", why), skipped("sqs:GetQueueAttributes", why));
      continue;
    }
    let url: string | undefined;
    const urlErr = await attempt(async () => {
      url = (await resolveQueue(run, q)).url;
    });
    out.push(probeLine("sqs:GetQueueUrl", urlErr, `on-failure queue ${q}`, q, principal, ep));
    if (!url) {
      out.push(skipped("sqs:GetQueueAttributes", "GetQueueUrl failed"));
      continue;
    }
    let waiting = 0;
    const attrErr = await attempt(async () => {
      waiting = await queueBacklog(run, url as string);
    });
    const line = probeLine(
      "sqs:GetQueueAttributes",
      attrErr,
      `on-failure queue ${q}${attrErr ? "" : `: ${waiting} message${waiting === 1 ? "" : "s"} waiting`}`,
      q,
      principal,
      ep,
    );
    out.push({ ...line, summary: `${line.summary}; ${notProbed}` });
  }
  return out;
}
