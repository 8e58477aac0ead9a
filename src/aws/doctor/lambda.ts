/**
 * doctor's Lambda probe: lambda:ListEventSourceMappings (one page), what `describe`, `disable`, `lag`
 * and `filter-test --function` call. The stream's mappings it lists name the on-failure queues that
 * sqs.ts probes.
 */
import type { EventSourceMappingConfiguration } from "@aws-sdk/client-lambda";
import type { Check } from "../../core/doctor/check.js";
import { serviceAvailableFor } from "../consumers.js";
import { type ProbeContext, probeOptionalService } from "./probe.js";

/**
 * The ListEventSourceMappings line, and the stream's mappings (undefined when they were not listed,
 * or without a stream). One page (up to 100 mappings: a stream has a handful).
 */
export async function eventSourceMappingsCheck(
  ctx: ProbeContext,
  streamArn: string | undefined,
): Promise<{ check: Check; mappings: EventSourceMappingConfiguration[] | undefined }> {
  const { run } = ctx;
  const asked = streamArn === undefined || serviceAvailableFor("LAMBDA", streamArn, run, ctx.env);
  let mappings: EventSourceMappingConfiguration[] | undefined;
  const check = await probeOptionalService(
    ctx,
    "lambda:ListEventSourceMappings",
    "LAMBDA",
    asked,
    "event source mappings",
    async () => {
      const { ListEventSourceMappingsCommand } = await import("@aws-sdk/client-lambda");
      const lambda = await run.clients.lambda();
      const page = await lambda.send(
        new ListEventSourceMappingsCommand({
          ...(streamArn ? { EventSourceArn: streamArn } : {}),
          MaxItems: 100,
        }),
        { abortSignal: run.signal },
      );
      if (streamArn) mappings = page.EventSourceMappings ?? [];
    },
  );
  return { check, mappings };
}
