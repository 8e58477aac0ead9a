/**
 * Reading and atomically writing `tail --checkpoint` files: the content goes to a temporary file in
 * the same directory (mode 0600), is flushed to disk, then renamed over the checkpoint, so a crash
 * leaves either the old or the new checkpoint, never a torn one.
 */
import { open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { CheckpointData } from "../core/tail/checkpoint.js";
import { serializeCheckpoint } from "../core/tail/checkpoint.js";
import { UsageError } from "../errors.js";

/** The file's text, or undefined when it does not exist yet. Other read failures are usage errors. */
export async function readCheckpointFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new UsageError(
      `cannot read checkpoint file ${path}: ${code ?? (e as Error).message}`,
      "pass a readable file path to --checkpoint (it is created on first use)",
      e,
    );
  }
}

let counter = 0;

/** Writes the checkpoint atomically (temporary file + fsync + rename), mode 0600. */
export async function writeCheckpointFile(path: string, data: CheckpointData): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(tmp, "w", 0o600);
    await handle.writeFile(serializeCheckpoint(data), "utf8");
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot write checkpoint file ${path}: ${code ?? (e as Error).message}`,
      "check that its directory exists and is writable",
      e,
    );
  }
}
