/**
 * doctor's CloudWatch probe: cloudwatch:GetMetricData (one query of the table's ReturnedRecordsCount
 * over five minutes), what `lag` calls.
 */
import type { Check } from "../../core/doctor/check.js";
import { isDynamoDBLocalArn, serviceAvailableFor } from "../consumers.js";
import { type ProbeContext, probeOptionalService } from "./probe.js";

/** The GetMetricData line; DynamoDB Local has no CloudWatch unless its endpoint is set explicitly. */
export function metricsCheck(
  ctx: ProbeContext,
  tableName: string,
  streamArn: string | undefined,
): Promise<Check> {
  const { run } = ctx;
  const local = streamArn !== undefined && isDynamoDBLocalArn(streamArn);
  const asked =
    !local || (streamArn !== undefined && serviceAvailableFor("CLOUDWATCH", streamArn, run, ctx.env));
  return probeOptionalService(ctx, "cloudwatch:GetMetricData", "CLOUDWATCH", asked, "metrics", async () => {
    const { GetMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
    const cw = await run.clients.cloudwatch();
    const end = new Date(Math.floor(ctx.now / 60_000) * 60_000);
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
      { abortSignal: run.signal },
    );
  });
}
