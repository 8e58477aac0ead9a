/**
 * Invoking the deployed function with a batch, as the event source mapping does: synchronously
 * (`RequestResponse`), the event as the payload; the outcome read as Lambda's poller reads it.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html : a function error answers 200 with
 * `X-Amz-Function-Error` and the error `{errorType, errorMessage}` as the payload; a timeout is such an
 * error of type `Sandbox.Timedout`. IAM: lambda:InvokeFunction. This RUNS PRODUCTION CODE.
 */
import type { Outcome } from "../core/delivery/engine.js";
import { createAwsClients } from "./clients.js";
import { type AwsRun, call } from "./streams.js";

/**
 * The run Invoke calls use: their own clients, whose request timeout outlasts the function's (the
 * run's `--timeout` is for quick API calls; an invocation may take up to 15 minutes), and a signal
 * Ctrl-C does not abort, so an invocation in flight finishes as it does in Lambda. `close()` it.
 */
export function invokeRun(run: AwsRun, functionTimeoutMs: number): AwsRun & { close(): void } {
  const clients = createAwsClients({ ...run.clients.settings, requestTimeoutMs: functionTimeoutMs + 60_000 });
  return { ...run, clients, signal: new AbortController().signal, close: () => clients.destroy() };
}

/** The deployed function's timeout (seconds), from GetFunctionConfiguration. */
export async function functionTimeoutSeconds(
  run: AwsRun,
  functionName: string,
  qualifier: string | undefined,
): Promise<{ timeout: number | undefined; functionArn: string | undefined; version: string | undefined }> {
  const { GetFunctionConfigurationCommand } = await import("@aws-sdk/client-lambda");
  const lambda = await run.clients.lambda();
  const c = await call(run, `function ${functionName}`, (abortSignal) =>
    lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: qualifier }), {
      abortSignal,
    }),
  );
  return { timeout: c.Timeout, functionArn: c.FunctionArn, version: c.Version };
}

/** One synchronous invocation of the deployed function. */
export async function invokeDeployed(
  run: AwsRun,
  functionName: string,
  qualifier: string | undefined,
  event: unknown,
): Promise<{ outcome: Outcome; executedVersion: string | undefined }> {
  const { InvokeCommand } = await import("@aws-sdk/client-lambda");
  const lambda = await run.clients.lambda();
  const out = await call(run, `function ${functionName}`, (abortSignal) =>
    lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        Qualifier: qualifier,
        InvocationType: "RequestResponse",
        Payload: new TextEncoder().encode(JSON.stringify(event)),
      }),
      { abortSignal },
    ),
  );
  const requestId = out.$metadata.requestId ?? "";
  const text = out.Payload === undefined ? "" : new TextDecoder().decode(out.Payload);
  let value: unknown = null;
  try {
    value = text === "" ? null : JSON.parse(text);
  } catch {
    value = text;
  }
  if (out.FunctionError !== undefined && out.FunctionError !== "") {
    const v = (value ?? {}) as { errorType?: unknown; errorMessage?: unknown };
    const errorType = typeof v.errorType === "string" ? v.errorType : out.FunctionError;
    const errorMessage = typeof v.errorMessage === "string" ? v.errorMessage : text;
    if (errorType === "Sandbox.Timedout")
      return { outcome: { kind: "timeout", requestId }, executedVersion: out.ExecutedVersion };
    return {
      outcome: { kind: "error", errorType, errorMessage, requestId },
      executedVersion: out.ExecutedVersion,
    };
  }
  return { outcome: { kind: "returned", response: value, requestId }, executedVersion: out.ExecutedVersion };
}
