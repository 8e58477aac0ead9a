/** `enable` and `disable`: idempotent stream control with the guard rails users expect. */

import { streamLabelOf } from "../core/arn.js";
import type { ViewType } from "../core/view-type.js";
import { UsageError } from "../errors.js";
import { type AwsRun, describeTable } from "./streams.js";
import { setStream, waitStreamStatus, waitTableActive } from "./table.js";

export interface Prompter {
  info(message: string): void;
  warn(message: string): void;
  confirm(question: string): Promise<boolean>;
  interactive: boolean;
}

/** JSON result of `enable` (documented). */
export interface EnableResult {
  table: string;
  streamArn: string;
  streamLabel: string;
  viewType: string;
  status: string;
  changed: boolean;
  replacedStreamArn?: string;
}

/** JSON result of `disable` (documented). */
export interface DisableResult {
  table: string;
  streamArn: string | null;
  status: string;
  changed: boolean;
}

/**
 * Enables the table's stream. Same view type already enabled: reported, unchanged. Another view
 * type: refused unless `replace`, which disables and re-enables after confirmation.
 */
export async function enableStream(
  run: AwsRun,
  input: { table: string; viewType: ViewType; wait: boolean; replace: boolean; yes: boolean },
  ui: Prompter,
): Promise<EnableResult> {
  const t = await describeTable(run, input.table);
  const current = t.StreamSpecification?.StreamEnabled ? t.StreamSpecification.StreamViewType : undefined;
  let replaced: string | undefined;
  if (current && t.LatestStreamArn) {
    if (current === input.viewType) {
      ui.info(`table ${input.table} already has a ${current} stream; nothing to change`);
      const status = await streamStatus(run, t.LatestStreamArn);
      return {
        table: input.table,
        streamArn: t.LatestStreamArn,
        streamLabel: t.LatestStreamLabel ?? streamLabelOf(t.LatestStreamArn),
        viewType: current,
        status,
        changed: false,
      };
    }
    if (!input.replace) {
      throw new UsageError(
        `table ${input.table} already has a ${current} stream; a stream's view type cannot change in place`,
        `disabling and enabling creates a new stream ARN: dynastream enable ${input.table} --view-type ${input.viewType} --replace`,
      );
    }
    ui.warn(
      `replacing the ${current} stream of ${input.table} disables ${t.LatestStreamArn} for good (its records stay readable for 24 h; consumers must move to the new ARN)`,
    );
    await confirmOrRefuse(
      ui,
      input.yes,
      `Disable the ${current} stream of ${input.table} and enable a ${input.viewType} one?`,
    );
    replaced = t.LatestStreamArn;
    await setStream(run, input.table, undefined);
    await waitTableActive(run, input.table);
  }
  const updated = await setStream(run, input.table, input.viewType);
  let arn = updated.LatestStreamArn;
  let label = updated.LatestStreamLabel;
  if (!arn || arn === replaced) {
    const again = await describeTable(run, input.table);
    arn = again.LatestStreamArn;
    label = again.LatestStreamLabel;
  }
  if (!arn) throw new UsageError(`table ${input.table} reports no stream after enabling it`);
  let status = await streamStatus(run, arn);
  if (input.wait && status !== "ENABLED") status = await waitStreamStatus(run, arn, "ENABLED");
  return {
    table: input.table,
    streamArn: arn,
    streamLabel: label ?? streamLabelOf(arn),
    viewType: input.viewType,
    status,
    changed: true,
    ...(replaced ? { replacedStreamArn: replaced } : {}),
  };
}

async function streamStatus(run: AwsRun, arn: string): Promise<string> {
  const { describeStreamPage } = await import("./streams.js");
  const d = await describeStreamPage(run, { StreamArn: arn, Limit: 1 });
  return d.StreamStatus ?? "UNKNOWN";
}

/** Returns when confirmed (--yes, or yes on the terminal); else refuses with a usage error (exit 2). */
export async function confirmOrRefuse(ui: Prompter, yes: boolean, question: string): Promise<void> {
  if (yes) return;
  if (!ui.interactive) {
    throw new UsageError(
      "refusing to continue without confirmation (not a terminal)",
      "pass --yes to confirm",
    );
  }
  if (!(await ui.confirm(question))) throw new UsageError("cancelled; nothing was changed");
}

/**
 * Disables the table's stream, after a warning and a confirmation (or --yes). A table without an
 * enabled stream is reported and left alone. `consumers` names the event source mappings that
 * would lose their stream.
 */
export async function disableStream(
  run: AwsRun,
  input: { table: string; yes: boolean; wait: boolean },
  ui: Prompter,
  consumers: (streamArn: string) => Promise<string[]> = async () => [],
): Promise<DisableResult> {
  const t = await describeTable(run, input.table);
  const arn = t.LatestStreamArn;
  if (!t.StreamSpecification?.StreamEnabled || !arn) {
    ui.info(`table ${input.table} has no enabled stream; nothing to disable`);
    return { table: input.table, streamArn: arn ?? null, status: arn ? "DISABLED" : "NONE", changed: false };
  }
  ui.warn(
    `disabling the stream of ${input.table} is irreversible for ${arn}: a later enable creates a new stream ARN. Its records stay readable for 24 h.`,
  );
  let names: string[] = [];
  try {
    names = await consumers(arn);
  } catch (e) {
    ui.warn(`could not list the stream's Lambda consumers: ${(e as Error).message}`);
  }
  if (names.length > 0) ui.warn(`these event source mappings will lose their stream: ${names.join(", ")}`);
  await confirmOrRefuse(ui, input.yes, `Disable the stream of ${input.table}?`);
  await setStream(run, input.table, undefined);
  let status = await streamStatus(run, arn);
  if (input.wait && status !== "DISABLED") status = await waitStreamStatus(run, arn, "DISABLED");
  return { table: input.table, streamArn: arn, status, changed: true };
}
