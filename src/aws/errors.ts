/**
 * Translation of SDK and network exceptions into dynastream's typed errors, at the AWS boundary.
 * Callers pass what they were doing (`subject`) so messages say "table Orders" rather than echoing
 * the SDK, and add a more precise NotFound message where they know better.
 */
import {
  AuthError,
  AwsError,
  DynastreamError,
  InterruptedError,
  isAbort,
  NotFoundError,
  UsageError,
} from "../errors.js";

const AUTH_CODES = new Set([
  "AccessDeniedException",
  "AccessDenied",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "ExpiredTokenException",
  "ExpiredToken",
  "InvalidClientTokenId",
  "MissingAuthenticationToken",
  "MissingAuthenticationTokenException",
  "IncompleteSignature",
  "IncompleteSignatureException",
  "NotAuthorized",
  "UnauthorizedOperation",
  "AuthFailure",
]);

const THROTTLE_CODES = new Set([
  "ThrottlingException",
  "Throttling",
  "LimitExceededException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "RequestThrottled",
  "RequestThrottledException",
]);

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ECONNABORTED",
]);

interface SdkLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
  cause?: unknown;
}

function errorCode(e: SdkLikeError): string | undefined {
  if (e.code && NETWORK_CODES.has(e.code)) return e.code;
  const c = e.cause as SdkLikeError | undefined;
  if (c?.code && NETWORK_CODES.has(c.code)) return c.code;
  return undefined;
}

/** The SDK error's code (its `name`), for callers that branch on a specific exception. */
export function awsErrorName(err: unknown): string | undefined {
  return (err as SdkLikeError | null)?.name;
}

/** True for throttling errors (after the SDK's own retries). */
export function isThrottle(err: unknown): boolean {
  return THROTTLE_CODES.has(awsErrorName(err) ?? "");
}

/** True for retryable server or network faults: 5xx, resets, timeouts. */
export function isTransient(err: unknown): boolean {
  const e = err as SdkLikeError | null;
  if (!e) return false;
  if (errorCode(e)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  return (
    e.name === "TimeoutError" ||
    e.name === "RequestTimeout" ||
    e.name === "RequestTimeoutException" ||
    e.name === "InternalServerError" ||
    e.name === "InternalFailure" ||
    e.name === "ServiceUnavailable" ||
    e.$fault === "server"
  );
}

/**
 * Turns anything the SDK or the network threw into a DynastreamError.
 * `subject` names what was being accessed ("table Orders", "stream arn:…").
 */
export function translateAwsError(err: unknown, subject: string, endpoint?: string): DynastreamError {
  if (err instanceof DynastreamError) return err;
  if (isAbort(err)) return new InterruptedError();
  const e = (err ?? {}) as SdkLikeError;
  const name = e.name ?? "Error";
  const msg = (e.message ?? String(err)).split("\n")[0] ?? "";
  if (name === "CredentialsProviderError" || /could not load credentials/i.test(msg)) {
    return new AuthError(
      "no AWS credentials found",
      "set AWS_PROFILE or --profile, run `aws configure` or `aws sso login`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
      err,
    );
  }
  if (/region is missing/i.test(msg)) {
    return new UsageError(
      "no AWS region configured",
      "pass --region, or set AWS_REGION or a region in your profile",
      err,
    );
  }
  if (AUTH_CODES.has(name)) {
    return new AuthError(
      `access denied to ${subject}: ${msg}`,
      "check the IAM permissions listed in the README for this command",
      err,
    );
  }
  if (name === "ResourceNotFoundException" || name === "ResourceNotFound") {
    return new NotFoundError(`${subject} not found`, "check the name, --region and --profile", err);
  }
  if (THROTTLE_CODES.has(name)) {
    return new AwsError(
      `AWS throttled requests for ${subject} (${name}) after retries`,
      "try again later, or reduce other readers of this stream",
      err,
    );
  }
  const net = errorCode(e);
  if (/exceeded the configured \d+ ms requestTimeout|timed out after \d+ ms of inactivity/.test(msg)) {
    const ms = /(\d+) ms (requestTimeout|of inactivity)/.exec(msg)?.[1];
    return new AwsError(
      `no answer from AWS${endpoint ? ` at ${endpoint}` : ""} for ${subject} within ${ms} ms (after retries)`,
      "check the network and --endpoint-url; --timeout sets how long to wait",
      err,
    );
  }
  if (
    net ||
    name === "TimeoutError" ||
    name === "RequestTimeout" ||
    /socket hang up|timed? ?out/i.test(msg)
  ) {
    const where = endpoint ? ` at ${endpoint}` : "";
    return new AwsError(
      `could not reach AWS${where}: ${net ?? name}${msg && !msg.includes(net ?? "\u0000") ? ` (${msg})` : ""}`,
      "check the network, --endpoint-url / AWS_ENDPOINT_URL and --region",
      err,
    );
  }
  if (name === "ValidationException") {
    return new UsageError(`AWS rejected the request for ${subject}: ${msg}`, undefined, err);
  }
  const status = e.$metadata?.httpStatusCode;
  if (isTransient(err)) {
    return new AwsError(
      `AWS error for ${subject}: ${name}${msg ? `: ${msg}` : ""}${status ? ` (HTTP ${status})` : ""}`,
      "try again later",
      err,
    );
  }
  if (status !== undefined) {
    return new AwsError(`AWS error for ${subject}: ${name}: ${msg}`, undefined, err);
  }
  return new AwsError(`AWS call for ${subject} failed: ${name}: ${msg}`, undefined, err);
}
