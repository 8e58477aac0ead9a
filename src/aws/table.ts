/** Stream control on a table: UpdateTable StreamSpecification, and waiting for the result. */
import type { TableDescription } from "@aws-sdk/client-dynamodb";
import type { ViewType } from "../core/view-type.js";
import { AwsError, UsageError } from "../errors.js";
import { awsErrorName } from "./errors.js";
import { waitForState } from "./paging.js";
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
export function waitTableActive(
  run: AwsRun,
  tableName: string,
  timeoutMs = 10 * 60_000,
): Promise<TableDescription> {
  return waitForState(run, `table ${tableName}`, "ACTIVE", timeoutMs, async () => {
    const t = await describeTable(run, tableName);
    return { state: t.TableStatus, value: t };
  });
}

/** Waits until a stream reaches `status` (ENABLED after enable, DISABLED after disable). */
export function waitStreamStatus(
  run: AwsRun,
  streamArn: string,
  status: "ENABLED" | "DISABLED",
  timeoutMs = 10 * 60_000,
): Promise<string> {
  return waitForState(run, "stream", status, timeoutMs, async () => {
    const d = await describeStreamPage(run, { StreamArn: streamArn, Limit: 1 });
    return { state: d.StreamStatus, value: status };
  });
}
