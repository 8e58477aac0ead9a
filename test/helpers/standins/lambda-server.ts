/**
 * In-memory stand-in for the AWS Lambda control plane (REST-JSON protocol), enough of it for
 * `dynastream lag` and `invoke`: ListEventSourceMappings, GetEventSourceMapping, GetFunction,
 * GetFunctionConfiguration, and Invoke (RequestResponse, answered by a scripted function).
 *
 * This module holds the Lambda model and its HTTP handler only. The HTTP server that serves it (together
 * with the CloudWatch stand-in, fault injection and the request log) is `startAwsStandin()` in
 * `./cloudwatch-server.ts`. The small transport types shared by both stand-ins live here so that the
 * dependency runs one way only (cloudwatch-server → lambda-server).
 *
 * Wire format, as the real `@aws-sdk/client-lambda` 3.1164.0 (`AwsRestJsonProtocol`) expects it:
 * - `GET /2015-03-31/event-source-mappings?EventSourceArn=…&FunctionName=…&Marker=…&MaxItems=…`
 *   → `200 {"EventSourceMappings":[…],"NextMarker":"…"}` (NextMarker absent on the last page).
 * - `GET /2015-03-31/event-source-mappings/{UUID}` → the mapping, or 404 ResourceNotFoundException.
 * - `GET /2015-03-31/functions/{FunctionName}[?Qualifier=…]` → `{"Configuration":…,"Code":…}`, or 404.
 * - Timestamps of type `timestamp` (`LastModified` of a mapping, `StartingPositionTimestamp`) are epoch
 *   SECONDS as JSON numbers; the function's `LastModified` is a string (`2024-01-01T00:00:00.000+0000`).
 * - Errors: status + header `x-amzn-errortype: <Code>` + body `{"Type":"User","Message":"…"}`.
 * - `POST /2015-03-31/functions/{FunctionName}/invocations[?Qualifier=…]` (header
 *   `X-Amz-Invocation-Type: RequestResponse`), the event as body → `200` with the response payload,
 *   `X-Amz-Executed-Version`, and for a function error `X-Amz-Function-Error: Unhandled` with
 *   `{"errorType","errorMessage","trace"}` as payload (a timeout: errorType `Sandbox.Timedout`), as the
 *   API reference describes (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
 */
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { EventSourceMappingConfiguration } from "@aws-sdk/client-lambda";

/** A request as the stand-in handlers see it (already read off the socket). */
export interface StandinRequest {
  /** HTTP method, upper case. */
  method: string;
  /** Raw (still percent-encoded) path without the query string. */
  path: string;
  /** Decoded query-string parameters. */
  query: URLSearchParams;
  /** Request headers (lower-case names, as Node gives them). */
  headers: IncomingHttpHeaders;
  /** Request body as text ("" when there is none). */
  body: string;
}

/** A complete response produced by a stand-in handler. */
export interface StandinResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Kinds of injectable faults:
 * - `throttle`: the service's throttling error (Lambda 429 TooManyRequestsException; CloudWatch 400 Throttling).
 * - `accessDenied`: an IAM denial (Lambda 403 AccessDeniedException; CloudWatch 403 AccessDenied).
 * - `500`: an internal error (Lambda 500 ServiceException; CloudWatch 500 InternalServiceFault).
 * - `partialData`: CloudWatch GetMetricData only: the page is cut short, every returned result has
 *   `StatusCode: "PartialData"` and a `NextToken` to continue is always present.
 * - `hang`: the server reads the request and never answers (until the client gives up or `stop()`).
 */
export type FaultKind = "throttle" | "accessDenied" | "500" | "partialData" | "hang";

/** What a scripted function does with one invocation: return a value, or fail. */
export type StandinInvokeResult =
  | { response: unknown }
  | { error: { errorType: string; errorMessage: string } };

/** A Lambda function known to the stand-in. */
export interface StandinFunction {
  name: string;
  arn: string;
  /** Qualifiers (aliases or published versions) GetFunction accepts besides `$LATEST`. */
  qualifiers: string[];
  runtime: string;
  tags: Record<string, string>;
  /** The function's Timeout in seconds (default 3). */
  timeout: number;
  /** Answers Invoke (default: returns null). */
  invoke: (event: unknown) => StandinInvokeResult;
}

/** Options for {@link LambdaModel.addFunction}. */
export interface AddFunctionOptions {
  /** Aliases or version numbers that GetFunction(Qualifier) should accept. */
  qualifiers?: string[];
  runtime?: string;
  tags?: Record<string, string>;
  /** Timeout in seconds (GetFunctionConfiguration). */
  timeout?: number;
  /** The function's behaviour on Invoke. */
  invoke?: (event: unknown) => StandinInvokeResult;
}

/** Input of {@link LambdaModel.addEventSourceMapping}: any mapping fields; the two ARNs are required. */
export type EventSourceMappingInput = Partial<EventSourceMappingConfiguration> & {
  EventSourceArn: string;
  FunctionArn: string;
};

/** Lambda operations the stand-in implements (others answer 404 UnknownOperationException). */
export type LambdaOperation =
  | "ListEventSourceMappings"
  | "GetEventSourceMapping"
  | "GetFunction"
  | "GetFunctionConfiguration"
  | "Invoke"
  | "Unknown";

const API = "/2015-03-31";
const FUNCTION_NAME_RE = /^[a-zA-Z0-9_-]{1,64}$/;
const QUALIFIER_RE = /^(\$LATEST|[a-zA-Z0-9_-]{1,128})$/;

/** Builds a Lambda REST-JSON error response. */
export function lambdaError(
  status: number,
  code: string,
  message: string,
  extra: {
    type?: "User" | "Service";
    headers?: Record<string, string>;
    fields?: Record<string, unknown>;
  } = {},
): StandinResponse {
  return {
    status,
    headers: {
      "content-type": "application/json",
      "x-amzn-errortype": code,
      "x-amzn-requestid": randomUUID(),
      ...extra.headers,
    },
    body: JSON.stringify({ Type: extra.type ?? "User", Message: message, ...extra.fields }),
  };
}

/** The response a Lambda fault of `kind` produces (`hang` and `partialData` are handled elsewhere). */
export function lambdaFaultResponse(kind: "throttle" | "accessDenied" | "500", op: string): StandinResponse {
  switch (kind) {
    case "throttle":
      return lambdaError(429, "TooManyRequestsException", "Rate exceeded", {
        headers: { "retry-after": "1" },
        fields: { Reason: "CallerRateLimitExceeded" },
      });
    case "accessDenied":
      return lambdaError(
        403,
        "AccessDeniedException",
        `User: arn:aws:iam::123456789012:user/standin is not authorized to perform: lambda:${op} ` +
          "because no identity-based policy allows the action",
      );
    case "500":
      return lambdaError(
        500,
        "ServiceException",
        "The service encountered an internal error (stand-in fault)",
        {
          type: "Service",
        },
      );
  }
}

/** Resolves the Lambda operation a request is for, from its method and path. */
export function lambdaOperation(method: string, path: string): LambdaOperation {
  const p = path.endsWith("/") && path.length > 1 ? path.slice(0, -1) : path;
  if (method === "POST" && /^\/2015-03-31\/functions\/[^/]+\/invocations$/.test(p)) return "Invoke";
  if (method !== "GET") return "Unknown";
  if (p === `${API}/event-source-mappings`) return "ListEventSourceMappings";
  if (/^\/2015-03-31\/event-source-mappings\/[^/]+$/.test(p)) return "GetEventSourceMapping";
  if (/^\/2015-03-31\/functions\/[^/]+$/.test(p)) return "GetFunction";
  if (/^\/2015-03-31\/functions\/[^/]+\/configuration$/.test(p)) return "GetFunctionConfiguration";
  return "Unknown";
}

/** Converts `Date`s to epoch seconds, recursively, the way the SDK's REST-JSON codec expects timestamps. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
    return out;
  }
  return value;
}

/** A function reference split into its parts (`name`, `name:qual`, `acct:function:name`, full ARN). */
interface FunctionRef {
  name: string;
  qualifier: string | undefined;
  account: string | undefined;
  region: string | undefined;
}

function parseFunctionRef(ref: string): FunctionRef | undefined {
  const parts = ref.split(":");
  let name: string | undefined;
  let qualifier: string | undefined;
  let account: string | undefined;
  let region: string | undefined;
  if (parts[0] === "arn") {
    // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
    if (parts.length < 7 || parts.length > 8 || parts[2] !== "lambda" || parts[5] !== "function")
      return undefined;
    region = parts[3];
    account = parts[4];
    name = parts[6];
    qualifier = parts[7];
  } else if (parts.length >= 3 && parts[1] === "function") {
    // <account>:function:<name>[:<qualifier>]
    if (parts.length > 4) return undefined;
    account = parts[0];
    name = parts[2];
    qualifier = parts[3];
  } else {
    if (parts.length > 2) return undefined;
    name = parts[0];
    qualifier = parts[1];
  }
  if (name === undefined || !FUNCTION_NAME_RE.test(name)) return undefined;
  if (qualifier !== undefined && !QUALIFIER_RE.test(qualifier)) return undefined;
  return { name, qualifier, account, region };
}

function encodeMarker(offset: number): string {
  return Buffer.from(JSON.stringify({ standin: "lambda", o: offset })).toString("base64url");
}

function decodeMarker(marker: string): number | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(marker, "base64url").toString("utf8"));
    if (v !== null && typeof v === "object" && "o" in v && typeof v.o === "number" && Number.isInteger(v.o)) {
      return v.o >= 0 ? v.o : undefined;
    }
  } catch {
    // fall through: not a marker this stand-in issued
  }
  return undefined;
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function json(status: number, body: unknown): StandinResponse {
  return {
    status,
    headers: { "content-type": "application/json", "x-amzn-requestid": randomUUID() },
    body: JSON.stringify(body),
  };
}

/**
 * The Lambda stand-in's state (functions and event source mappings) and its request handler.
 * Mappings are listed in insertion order.
 */
export class LambdaModel {
  /** Maximum number of mappings per ListEventSourceMappings page (AWS: 100 regardless of MaxItems). */
  pageSize = 100;
  readonly region: string;
  readonly accountId: string;
  private readonly mappings = new Map<string, EventSourceMappingConfiguration>();
  private readonly functions = new Map<string, StandinFunction>();

  constructor(opts: { region?: string; accountId?: string } = {}) {
    this.region = opts.region ?? "us-east-1";
    this.accountId = opts.accountId ?? "123456789012";
  }

  /** The unqualified ARN of function `name` in this stand-in's account and region. */
  functionArn(name: string): string {
    return `arn:aws:lambda:${this.region}:${this.accountId}:function:${name}`;
  }

  /** Registers a function so that GetFunction finds it; returns its ARN. */
  addFunction(name: string, opts: AddFunctionOptions = {}): string {
    if (!FUNCTION_NAME_RE.test(name)) throw new Error(`invalid function name: ${name}`);
    const arn = this.functionArn(name);
    this.functions.set(name, {
      name,
      arn,
      qualifiers: opts.qualifiers ?? [],
      runtime: opts.runtime ?? "nodejs20.x",
      tags: opts.tags ?? {},
      timeout: opts.timeout ?? 3,
      invoke: opts.invoke ?? (() => ({ response: null })),
    });
    return arn;
  }

  /**
   * Adds an event source mapping; fields not given get the defaults of a fresh DynamoDB-stream mapping
   * (State Enabled, BatchSize 100, StartingPosition LATEST, retries/age −1 = infinite, …). Returns its UUID.
   */
  addEventSourceMapping(m: EventSourceMappingInput): string {
    if (!parseFunctionRef(m.FunctionArn)) throw new Error(`invalid FunctionArn: ${m.FunctionArn}`);
    const uuid = m.UUID ?? randomUUID();
    if (this.mappings.has(uuid)) throw new Error(`duplicate mapping UUID: ${uuid}`);
    const mapping: EventSourceMappingConfiguration = {
      EventSourceMappingArn: `arn:aws:lambda:${this.region}:${this.accountId}:event-source-mapping:${uuid}`,
      StartingPosition: "LATEST",
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 0,
      ParallelizationFactor: 1,
      LastModified: new Date(),
      LastProcessingResult: "No records processed",
      State: "Enabled",
      StateTransitionReason: "User action",
      DestinationConfig: { OnFailure: {} },
      MaximumRecordAgeInSeconds: -1,
      BisectBatchOnFunctionError: false,
      MaximumRetryAttempts: -1,
      TumblingWindowInSeconds: 0,
      FunctionResponseTypes: [],
      ...withoutUndefined(m),
      UUID: uuid,
    };
    this.mappings.set(uuid, mapping);
    return uuid;
  }

  /** Shallow-merges `patch` into mapping `uuid` (e.g. to change State or LastProcessingResult). */
  updateEventSourceMapping(uuid: string, patch: Partial<EventSourceMappingConfiguration>): void {
    const m = this.mappings.get(uuid);
    if (!m) throw new Error(`no such mapping: ${uuid}`);
    this.mappings.set(uuid, { ...m, ...withoutUndefined(patch), UUID: uuid });
  }

  /** Deletes mapping `uuid`; returns whether it existed. */
  removeEventSourceMapping(uuid: string): boolean {
    return this.mappings.delete(uuid);
  }

  /** Every Invoke received: the function, the qualifier, the event. */
  readonly invocations: Array<{ functionName: string; qualifier: string | undefined; event: unknown }> = [];

  /** Removes every function and mapping. */
  clear(): void {
    this.mappings.clear();
    this.functions.clear();
    this.invocations.length = 0;
  }

  /** A copy of every mapping, in listing order. */
  listEventSourceMappings(): EventSourceMappingConfiguration[] {
    return [...this.mappings.values()].map((m) => ({ ...m }));
  }

  /** Answers one Lambda request (no fault handling here). */
  handle(req: StandinRequest): StandinResponse {
    const op = lambdaOperation(req.method, req.path);
    switch (op) {
      case "ListEventSourceMappings":
        return this.listMappings(req.query);
      case "GetEventSourceMapping":
        return this.getMapping(this.label(req.path, 2));
      case "GetFunction":
        return this.getFunction(this.label(req.path, 2), req.query.get("Qualifier") ?? undefined, true);
      case "GetFunctionConfiguration":
        return this.getFunction(this.label(req.path, 2), req.query.get("Qualifier") ?? undefined, false);
      case "Invoke":
        return this.invoke(this.label(req.path, 2), req.query.get("Qualifier") ?? undefined, req);
      case "Unknown":
        return lambdaError(404, "UnknownOperationException", `Unknown operation ${req.method} ${req.path}`);
    }
  }

  /** The `i`-th path segment after `/2015-03-31/`, percent-decoded. */
  private label(path: string, i: number): string {
    const seg = path.split("/")[i + 1] ?? "";
    try {
      return decodeURIComponent(seg);
    } catch {
      return seg;
    }
  }

  private listMappings(q: URLSearchParams): StandinResponse {
    const esArn = q.get("EventSourceArn");
    const fnFilter = q.get("FunctionName");
    const marker = q.get("Marker");
    const maxItemsRaw = q.get("MaxItems");
    let maxItems = 100;
    if (maxItemsRaw !== null) {
      const n = Number(maxItemsRaw);
      if (!Number.isInteger(n) || n < 1 || n > 10000) {
        return lambdaError(
          400,
          "ValidationException",
          `1 validation error detected: Value '${maxItemsRaw}' at 'maxItems' failed to satisfy constraint: ` +
            "Member must have value between 1 and 10000",
        );
      }
      maxItems = n;
    }
    let ref: FunctionRef | undefined;
    if (fnFilter !== null) {
      ref = parseFunctionRef(fnFilter);
      if (!ref) {
        return lambdaError(
          400,
          "ValidationException",
          `1 validation error detected: Value '${fnFilter}' at 'functionName' failed to satisfy constraint: ` +
            "Member must satisfy regular expression pattern",
        );
      }
    }
    let offset = 0;
    if (marker !== null) {
      const o = decodeMarker(marker);
      if (o === undefined) return lambdaError(400, "InvalidParameterValueException", "Invalid marker");
      offset = o;
    }
    const matching = [...this.mappings.values()].filter((m) => {
      if (esArn !== null && m.EventSourceArn !== esArn) return false;
      if (ref) {
        const own = parseFunctionRef(m.FunctionArn ?? "");
        if (!own || own.name !== ref.name || own.qualifier !== ref.qualifier) return false;
        if (ref.account !== undefined && own.account !== undefined && ref.account !== own.account)
          return false;
        if (ref.region !== undefined && own.region !== undefined && ref.region !== own.region) return false;
      }
      return true;
    });
    const size = Math.max(1, Math.min(maxItems, this.pageSize));
    const page = matching.slice(offset, offset + size);
    const next = offset + size < matching.length ? encodeMarker(offset + size) : undefined;
    return json(200, {
      EventSourceMappings: page.map(toWire),
      ...(next !== undefined ? { NextMarker: next } : {}),
    });
  }

  private getMapping(uuid: string): StandinResponse {
    const m = this.mappings.get(uuid);
    if (!m)
      return lambdaError(404, "ResourceNotFoundException", "The resource you requested does not exist.");
    return json(200, toWire(m));
  }

  private invoke(
    nameOrArn: string,
    qualifierParam: string | undefined,
    req: StandinRequest,
  ): StandinResponse {
    const ref = parseFunctionRef(nameOrArn);
    const qualifier = qualifierParam ?? ref?.qualifier;
    const fn = ref === undefined ? undefined : this.functions.get(ref.name);
    if (
      ref === undefined ||
      fn === undefined ||
      (qualifier !== undefined && qualifier !== "$LATEST" && !fn.qualifiers.includes(qualifier))
    ) {
      return lambdaError(
        404,
        "ResourceNotFoundException",
        `Function not found: ${this.functionArn(ref?.name ?? nameOrArn)}`,
      );
    }
    const type = req.headers["x-amz-invocation-type"];
    if (type !== undefined && type !== "RequestResponse") {
      return lambdaError(
        400,
        "InvalidParameterValueException",
        `the stand-in answers RequestResponse only, got ${String(type)}`,
      );
    }
    let event: unknown;
    try {
      event = JSON.parse(req.body);
    } catch {
      return lambdaError(400, "InvalidRequestContentException", "Could not parse request body into json");
    }
    this.invocations.push({ functionName: fn.name, qualifier, event });
    const r = fn.invoke(event);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-amzn-requestid": randomUUID(),
      "x-amz-executed-version": qualifier !== undefined && /^\d+$/.test(qualifier) ? qualifier : "$LATEST",
    };
    if ("error" in r) {
      return {
        status: 200,
        headers: { ...headers, "x-amz-function-error": "Unhandled" },
        body: JSON.stringify({ ...r.error, trace: [] }),
      };
    }
    return { status: 200, headers, body: JSON.stringify(r.response ?? null) };
  }

  private getFunction(nameOrArn: string, qualifierParam: string | undefined, full: boolean): StandinResponse {
    const ref = parseFunctionRef(nameOrArn);
    if (!ref) {
      return lambdaError(
        400,
        "ValidationException",
        `1 validation error detected: Value '${nameOrArn}' at 'functionName' failed to satisfy constraint: ` +
          "Member must satisfy regular expression pattern",
      );
    }
    const qualifier = qualifierParam ?? ref.qualifier;
    const fn = this.functions.get(ref.name);
    const foreign =
      (ref.account !== undefined && ref.account !== this.accountId) ||
      (ref.region !== undefined && ref.region !== this.region);
    if (
      !fn ||
      foreign ||
      (qualifier !== undefined && qualifier !== "$LATEST" && !fn.qualifiers.includes(qualifier))
    ) {
      const arn = this.functionArn(ref.name) + (qualifier !== undefined ? `:${qualifier}` : "");
      return lambdaError(404, "ResourceNotFoundException", `Function not found: ${arn}`);
    }
    const configuration = {
      FunctionName: fn.name,
      FunctionArn: fn.arn + (qualifier !== undefined && qualifier !== "$LATEST" ? `:${qualifier}` : ""),
      Runtime: fn.runtime,
      Role: `arn:aws:iam::${this.accountId}:role/${fn.name}-role`,
      Handler: "index.handler",
      CodeSize: 1024,
      Description: "",
      Timeout: fn.timeout,
      MemorySize: 128,
      LastModified: "2024-01-01T00:00:00.000+0000",
      CodeSha256: "c3RhbmRpbg==",
      Version: qualifier !== undefined && /^\d+$/.test(qualifier) ? qualifier : "$LATEST",
      State: "Active",
      LastUpdateStatus: "Successful",
      PackageType: "Zip",
      Architectures: ["x86_64"],
    };
    if (!full) return json(200, configuration);
    return json(200, {
      Configuration: configuration,
      Code: { RepositoryType: "S3", Location: `https://standin.invalid/${fn.name}.zip` },
      ...(Object.keys(fn.tags).length > 0 ? { Tags: fn.tags } : {}),
    });
  }
}
