/**
 * `dynastream doctor [<table|stream-arn>]`: what a run would use (Node, credentials, region,
 * endpoints, identity) and whether it works, and with a table one read-only call per permission the
 * commands need. Exit 0 all good, 1 a check failed, 4 no usable credentials.
 */
import type { Context } from "../cli/context.js";
import { outputFormat } from "../cli/context.js";
import type { CommandSpec } from "../cli/program.js";
import { isValidTableName, looksLikeArn, parseStreamArn, TABLE_NAME_HINT } from "../core/arn.js";
import { doctorExitCode } from "../core/doctor/check.js";
import { parseDuration } from "../core/duration.js";
import { UsageError } from "../errors.js";
import { renderDoctor } from "../render/doctor.js";

async function run(ctx: Context, [target]: string[]): Promise<number> {
  const format = outputFormat(ctx.globals, ["pretty", "json"], ctx.out.stdoutIsTTY);
  if (target !== undefined) {
    // A malformed name or ARN is a usage error (exit 2) before any check, as for every command.
    if (looksLikeArn(target)) {
      if (!parseStreamArn(target)) {
        throw new UsageError(
          `malformed stream ARN "${target}"`,
          "a stream ARN looks like arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000",
        );
      }
    } else if (!isValidTableName(target)) {
      throw new UsageError(`invalid table name "${target}"`, TABLE_NAME_HINT);
    }
  }
  const aws = await ctx.aws();
  const { runDoctor } = await import("../aws/doctor/index.js");
  const timeout = ctx.globals.timeout !== undefined ? parseDuration(ctx.globals.timeout) : undefined;
  const report = await runDoctor(aws, {
    table: target,
    profile: ctx.globals.profile,
    region: ctx.globals.region,
    endpointUrl: ctx.globals.endpointUrl,
    env: ctx.env,
    nodeVersion: process.version,
    now: ctx.now(),
    probeTimeoutMs: Math.min(timeout ?? 3000, 3000),
  });
  const code = doctorExitCode(report.checks, report.credentialsMissing);
  if (format === "json") ctx.out.jsonLine({ ok: code === 0, exitCode: code, checks: report.checks });
  else for (const l of renderDoctor(report.checks, ctx.out.style)) ctx.out.line(l);
  return code;
}

export const command: CommandSpec = {
  examples: [
    "dynastream doctor                       credentials, region, endpoints, identity",
    "dynastream doctor Orders                also one read-only call per permission the commands need",
    "dynastream doctor Orders --profile prod --json",
  ],
  notes: [
    "With a table it also probes, where present, the table's Kinesis destination stream (what",
    "tail --kinesis reads) and the SQS on-failure queues of the stream's Lambda mappings (never",
    "sqs:ReceiveMessage: receiving is not read-only).",
    "Read-only: doctor never writes to AWS. Each line is ✓ (ok), ! (works, but should be fixed),",
    "✗ (failed, with the fix) or - (not checked, with the reason). Credentials are named by their",
    "source (environment, profile and file, SSO and its token's expiry, credential_process, web",
    "identity, container or instance role), never shown.",
    "Exit codes: 0 every check passed (warnings allowed), 1 a check failed, 4 no usable credentials.",
  ].join("\n"),
  run,
};
