/**
 * Memory for the output of a chunk of `tail --input` of `inputBytes` bytes (io/input-work.ts), taken
 * by the main thread before the chunk is rendered (io/parallel-chunks.ts): NDJSON output is about 2.2
 * times its input (plain and typed images, the diff), so that the output rarely outgrows it (then it
 * is copied into memory twice as large). A module of its own: the CLI's bundle needs this, not the
 * renderer.
 */
export function outputRoom(inputBytes: number): number {
  return Math.max(64 * 1024, Math.ceil(inputBytes * 2.5));
}
