/**
 * The AWS SDK clients, created on first use. This module is imported lazily (await import) by the
 * commands that call AWS, so `--help`, `--version` and offline commands never load the SDK.
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { STSClient } from "@aws-sdk/client-sts";
import { CLIENT_SERVICES, configuredEndpoints } from "../core/aws-config/endpoints.js";
import { findProfile } from "../core/aws-config/shared-files.js";
import { readSharedFiles } from "./config-files.js";

// The SDK warns on Node 20 that future versions will need Node 22: that is for us, not for users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export interface AwsSettings {
  /** --region, else AWS_REGION, else AWS_DEFAULT_REGION (as the AWS CLI); undefined lets the SDK read the profile. */
  region?: string | undefined;
  profile?: string | undefined;
  /** --endpoint-url: overrides AWS_ENDPOINT_URL and the service-specific variables for every client. */
  endpointUrl?: string | undefined;
  /** Debug log sink (already redacting); undefined when --debug is off. */
  debug?: ((line: string) => void) | undefined;
  /** Milliseconds before a connection attempt is abandoned. */
  connectTimeoutMs?: number;
  /** Milliseconds a request may stay silent before it is abandoned. */
  requestTimeoutMs?: number;
  /** SDK attempts per call (the SDK backs off between them; throttling and 5xx are retried). */
  maxAttempts?: number;
}

export interface AwsClients {
  readonly settings: AwsSettings;
  dynamodb(): Promise<DynamoDBClient>;
  streams(): Promise<DynamoDBStreamsClient>;
  cloudwatch(): Promise<CloudWatchClient>;
  lambda(): Promise<LambdaClient>;
  /** STS: only `doctor` asks it (GetCallerIdentity). */
  sts(): Promise<STSClient>;
  sqs(): Promise<SQSClient>;
  s3(): Promise<S3Client>;
  /** Kinesis Data Streams (the table's Kinesis destination), over HTTP/1.1: see {@link createAwsClients}. */
  kinesis(): Promise<KinesisClient>;
  /** Closes every client created (sockets of the keep-alive pool). */
  destroy(): void;
}

const REDACT = /^(authorization|x-amz-security-token|x-amz-content-sha256|cookie)$/i;

/** Headers with credentials and signatures replaced by `<redacted>`, for --debug logs. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = REDACT.test(k) ? "<redacted>" : v;
  return out;
}

interface MiddlewareStackLike {
  add(mw: unknown, opts: { step: string; name: string; priority?: string }): void;
}

function baseConfig(s: AwsSettings): Record<string, unknown> {
  const cfg: Record<string, unknown> = {
    maxAttempts: s.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: s.connectTimeoutMs ?? 5000,
      requestTimeout: s.requestTimeoutMs ?? 10_000,
      // Without this the SDK only logs a warning and a hung endpoint hangs the command forever.
      throwOnRequestTimeout: true,
      // requestTimeout ends once the response headers arrive: a response whose body then stalls
      // would hang forever. The socket inactivity timeout covers the body too.
      socketTimeout: s.requestTimeoutMs ?? 10_000,
    },
  };
  if (s.region) cfg.region = s.region;
  if (s.profile) cfg.profile = s.profile;
  if (s.endpointUrl) cfg.endpoint = s.endpointUrl;
  return cfg;
}

/**
 * The endpoint of each client under --profile (SDK service id → URL; absent: AWS's own). The SDK
 * looks a profile's endpoint_url and services section up in the profile AWS_PROFILE names (else
 * default), never in the `profile` a client is given, whereas the active profile's settings apply
 * (as with the AWS CLI's --profile). So with --profile the endpoints are resolved here, in the SDK's
 * order and as doctor reports them, and the SDK's own lookup is turned off.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
function profileEndpoints(profile: string): Map<string, string> {
  const env = process.env;
  const files = readSharedFiles(env);
  const configured = configuredEndpoints(
    undefined,
    env,
    findProfile(files, profile),
    files.configPath,
    CLIENT_SERVICES,
  );
  return new Map(configured.map((e) => [e.service, e.url]));
}

function addDebugLogging(service: string, stack: MiddlewareStackLike, log: (line: string) => void): void {
  stack.add(
    (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const req = (
        args as {
          request?: {
            method?: string;
            hostname?: string;
            port?: number;
            path?: string;
            headers?: Record<string, string>;
          };
        }
      ).request;
      const started = Date.now();
      if (req) {
        log(
          `${service}.${context.commandName ?? "?"} → ${req.method} ${req.hostname}${req.port ? `:${req.port}` : ""}${req.path} ${JSON.stringify(redactHeaders(req.headers ?? {}))}`,
        );
      }
      try {
        const out = await next(args);
        const status = (out as { response?: { statusCode?: number } }).response?.statusCode;
        log(`${service}.${context.commandName ?? "?"} ← ${status ?? "?"} in ${Date.now() - started} ms`);
        return out;
      } catch (e) {
        log(
          `${service}.${context.commandName ?? "?"} ✗ ${(e as Error).name}: ${(e as Error).message} after ${Date.now() - started} ms`,
        );
        throw e;
      }
    },
    { step: "finalizeRequest", name: "dynastreamDebugLog", priority: "low" },
  );
}

/** Creates the lazy client set for one run. */
export function createAwsClients(settings: AwsSettings): AwsClients {
  const made: Array<{ destroy(): void }> = [];
  const cache = new Map<string, Promise<unknown>>();
  function once<T extends { destroy(): void; middlewareStack: unknown }>(
    key: string,
    make: () => Promise<T>,
  ): Promise<T> {
    let p = cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make().then((c) => {
        made.push(c);
        if (settings.debug) addDebugLogging(key, c.middlewareStack as MiddlewareStackLike, settings.debug);
        return c;
      });
      cache.set(key, p);
    }
    return p;
  }
  const base = baseConfig(settings);
  const endpoints =
    settings.profile && !settings.endpointUrl ? profileEndpoints(settings.profile) : undefined;
  /** The configuration of the client of one service (its SDK service id). */
  const cfg = (service: string): Record<string, unknown> => {
    if (!endpoints) return base;
    const url = endpoints.get(service);
    return { ...base, ignoreConfiguredEndpointUrls: true, ...(url ? { endpoint: url } : {}) };
  };
  const env = process.env;
  const customS3 = endpoints
    ? endpoints.has("S3")
    : Boolean(settings.endpointUrl || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
  return {
    settings,
    dynamodb: () =>
      once(
        "DynamoDB",
        async () => new (await import("@aws-sdk/client-dynamodb")).DynamoDBClient(cfg("DYNAMODB")),
      ),
    streams: () =>
      once(
        "DynamoDBStreams",
        async () =>
          new (await import("@aws-sdk/client-dynamodb-streams")).DynamoDBStreamsClient(
            cfg("DYNAMODB_STREAMS"),
          ),
      ),
    cloudwatch: () =>
      once(
        "CloudWatch",
        async () => new (await import("@aws-sdk/client-cloudwatch")).CloudWatchClient(cfg("CLOUDWATCH")),
      ),
    lambda: () =>
      once("Lambda", async () => new (await import("@aws-sdk/client-lambda")).LambdaClient(cfg("LAMBDA"))),
    sts: () => once("STS", async () => new (await import("@aws-sdk/client-sts")).STSClient(cfg("STS"))),
    sqs: () => once("SQS", async () => new (await import("@aws-sdk/client-sqs")).SQSClient(cfg("SQS"))),
    // Path-style addressing (`endpoint/bucket/key`) when the user chose the endpoint: emulators and
    // most S3-compatible stores answer it, few answer `bucket.endpoint`.
    s3: () =>
      once(
        "S3",
        async () =>
          new (await import("@aws-sdk/client-s3")).S3Client({
            ...cfg("S3"),
            ...(customS3 ? { forcePathStyle: true } : {}),
          }),
      ),
    // The Kinesis client defaults to an HTTP/2 handler, needed only by SubscribeToShard (enhanced
    // fan-out push), which dynastream never calls; every other Kinesis operation works over HTTP/1.1,
    // which is also what emulators speak. So: the same HTTP/1.1 handler and timeouts as the others.
    // The SDK still resolves AWS_ENDPOINT_URL_KINESIS / AWS_ENDPOINT_URL itself (no `endpoint` unless
    // --endpoint-url or --profile was given).
    kinesis: () =>
      once("Kinesis", async () => {
        const [{ KinesisClient }, { NodeHttpHandler }] = await Promise.all([
          import("@aws-sdk/client-kinesis"),
          import("@smithy/node-http-handler"),
        ]);
        const config = cfg("KINESIS");
        return new KinesisClient({
          ...config,
          requestHandler: new NodeHttpHandler(
            config.requestHandler as ConstructorParameters<typeof NodeHttpHandler>[0],
          ),
        });
      }),
    destroy: () => {
      for (const c of made) c.destroy();
    },
  };
}
