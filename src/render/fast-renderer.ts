/**
 * The fast path of `tail --input`'s renderer for one NDJSON line's bytes (render/fast-line.ts scans,
 * render/fast-json-line.ts writes NDJSON). Only the pieces' work (io/input-work.ts) uses it, which is
 * bundled with the worker threads' script, not with the CLI: commands that never read a large file
 * do not load it.
 */
import type { Change } from "../core/diff.js";
import type { ByteSink } from "./fast-json-line.js";
import { writeJsonLine } from "./fast-json-line.js";
import { diffScanned, parseImage, recordOf, scanRecordLine } from "./fast-line.js";
import type { TailFormat, TailFormatter } from "./tail-output.js";
import { createInputRenderer } from "./tail-output.js";

/**
 * Renders one NDJSON line of `tail --input` from its bytes (`buf` [start, end), no newline) into
 * `sink`; false, having written nothing, when the line is not one it takes.
 */
export type LineRenderer = (buf: Buffer, start: number, end: number, sink: ByteSink) => boolean;

/**
 * The fast path of `createInputRenderer` (tail-output.ts) for a line holding one Lambda- or
 * SDK-shaped record (render/fast-line.ts): the same text, without parsing the whole line into
 * objects. For a line it does not take, the caller parses the line and uses the general renderer.
 * None for `raw`.
 */
export function createFastLineRenderer(
  format: TailFormat,
  formatter: TailFormatter,
): LineRenderer | undefined {
  if (format === "raw") return undefined;
  if (format !== "pretty") {
    const typed = format === "dynamodb-json";
    return (buf, start, end, sink) => {
      const scan = scanRecordLine(buf, start, end);
      return scan !== undefined && writeJsonLine(sink, scan, typed);
    };
  }
  const render = createInputRenderer(formatter);
  return (buf, start, end, sink) => {
    const scan = scanRecordLine(buf, start, end);
    if (scan === undefined) return false;
    const rec = recordOf(scan);
    // A MODIFY shows only its changes: those of the images' bytes, parsing only what they show.
    const { oldImage, newImage } = scan;
    const d = rec.dynamodb ?? {};
    if (scan.keys !== undefined) d.Keys = parseImage(scan.keys);
    let changes: Change[] | undefined;
    if (rec.eventName === "MODIFY" && oldImage !== undefined && newImage !== undefined) {
      changes = diffScanned(oldImage, newImage);
      if (changes === undefined) return false;
    } else {
      if (oldImage !== undefined) d.OldImage = parseImage(oldImage);
      if (newImage !== undefined) d.NewImage = parseImage(newImage);
    }
    sink.text(render({ record: rec }, changes));
    return true;
  };
}
