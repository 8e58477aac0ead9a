/** Stream control on a table: UpdateTable StreamSpecification, and waiting for the result. */
import type { TableDescription } from "@aws-sdk/client-dynamodb";
import type { ViewType } from "../core/view-type.js";
import { AwsError, UsageError } from "../errors.js";
import { awsErrorName } from "./errors.js";
import { type AwsRun, call, describeStreamPage, describeTable } from "./streams.js";

/** Enables (viewType) or disables (undefined) the table's stream; returns the table description. */
export async function setStream(
  run: AwsRun,
  tableName: string,
  viewType: ViewType | undefined,
): Promise<TableDescription> {
  const { UpdateTableCommand } = await import("@aws-sdk/client-dynamodb");
  const ddb = await run.clients.dynamodb();
  const spec = viewType ? { StreamEnabled: true, StreamViewType: viewType } : { StreamEnabled: false };
  try {
    const out = await ddb.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: spec }), {
      abortSignal: run.signal,
    });
    return out.TableDescription ?? {};
  } catch (e) {
    const name = awsErrorName(e);
    const msg = (e as Error).message ?? "";
    if (
      name === "ResourceInUseException" ||
      (name === "ValidationException" && /already has an enabled stream/i.test(msg))
    ) {
      throw new UsageError(
        `table ${tableName} is busy or already has a stream: ${msg}`,
        "wait until the table is ACTIVE and try again",
      );
    }
    if (name === "LimitExceededException") {
      throw new AwsError(
        `AWS refused the update of table ${tableName}: ${msg}`,
        "too many table updates at once; try again later",
        e,
      );
    }
    return call(run, `table ${tableName}`, () => Promise.reject(e));
  }
}

/** Waits until the table is ACTIVE again after an update (real AWS passes through UPDATING). */
export async function waitTableActive(
  run: AwsRun,
  tableName: string,
  timeoutMs = 10 * 60_000,
): Promise<TableDescription> {
  const deadline = run.now() + timeoutMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    const t = await describeTable(run, tableName);
    if (t.TableStatus === "ACTIVE") return t;
    if (run.now() > deadline)
      throw new AwsError(`table ${tableName} is still ${t.TableStatus} after ${timeoutMs / 1000}s`);
    await run.sleep(delay);
  }
}

/** Waits until a stream reaches `status` (ENABLED after enable, DISABLED after disable). */
export async function waitStreamStatus(
  run: AwsRun,
  streamArn: string,
  status: "ENABLED" | "DISABLED",
  timeoutMs = 10 * 60_000,
): Promise<string> {
  const deadline = run.now() + timeoutMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    const d = await describeStreamPage(run, { StreamArn: streamArn, Limit: 1 });
    if (d.StreamStatus === status) return status;
    if (run.now() > deadline)
      throw new AwsError(`stream is still ${d.StreamStatus} after ${timeoutMs / 1000}s`);
    await run.sleep(delay);
  }
}
