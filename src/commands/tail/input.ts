/** `tail --input <file|->`: captured records rendered with live tail's formatter and writer. */
import type { Context } from "../../cli/context.js";
import { pipeClosed, writeOut } from "../../cli/stdout.js";
import type { InputRecord } from "../../core/record.js";
import { InterruptedError } from "../../errors.js";
import type { TailFormatter } from "../../render/tail-output.js";
import { createInputRenderer, inputStreamArn } from "../../render/tail-output.js";
import { plural } from "../../render/words.js";
import type { Matcher } from "./filters.js";
import type { TailInput } from "./options.js";
import { WRITE_CHUNK_CHARS } from "./stream.js";

/** Renders the records of `--input`; returns the exit code. */
export async function runInput(
  ctx: Context,
  input: TailInput,
  formatter: TailFormatter,
  matcher: Matcher | undefined,
): Promise<number> {
  const now = ctx.now();
  const { readInputBatches } = await import("../../io/record-input.js");
  const source = input.input === "-" ? { stdin: ctx.stdin } : { path: input.input as string };
  let text = "";
  let records = 0;
  formatter.setNow(now);
  const render = createInputRenderer(formatter);
  try {
    outer: for await (const batch of readInputBatches(source)) {
      for (let i = 0; i < batch.length; i++) {
        if (ctx.signal.aborted) break outer;
        const r = batch[i] as InputRecord;
        if (matcher && !matcher.match(r.record, inputStreamArn(r))) continue;
        text += render(r);
        records++;
        if (text.length >= WRITE_CHUNK_CHARS) {
          await writeOut(ctx, text);
          text = "";
        }
        if (input.count !== undefined && records >= input.count) break outer;
      }
      // Written batch by batch (a batch ends where a read of the input ends): from a live pipe,
      // each record shows as its line comes.
      if (text !== "") {
        await writeOut(ctx, text);
        text = "";
      }
    }
  } catch (e) {
    // A bad line: the records before it are written, then the error.
    if (!ctx.signal.aborted) await writeOut(ctx, text);
    throw e;
  }
  await writeOut(ctx, text);
  return inputEnd(ctx, records);
}

/** How a `tail --input` run ends: 0, or interrupted (closed stdout is 0 too). */
function inputEnd(ctx: Context, records: number): number {
  if (ctx.signal.aborted) {
    if (pipeClosed(ctx)) return 0;
    throw new InterruptedError(`tail stopped: ${plural(records, "record")}`);
  }
  return 0;
}
