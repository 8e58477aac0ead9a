/**
 * Duplicate detection for `tail` on a Kinesis destination, which may deliver a change more than once
 * ("might also appear more than once", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/kds.html):
 * a record whose `eventID` this run already printed is a duplicate. The memory is a bounded window
 * of the most recent ids (oldest forgotten first), so a run of any length keeps flat memory. Pure.
 */

/** How many event ids are remembered by default (about 10 MB). */
export const DEDUPE_WINDOW = 100_000;

/** The event ids seen in a run, the most recent `capacity` of them. */
export class SeenEvents {
  readonly #ids = new Set<string>();
  constructor(private readonly capacity = DEDUPE_WINDOW) {}

  /** True when `id` was seen before (within the window); else remembers it. */
  check(id: string): boolean {
    if (this.#ids.has(id)) return true;
    this.#ids.add(id);
    if (this.#ids.size > this.capacity) {
      const oldest = this.#ids.values().next().value as string;
      this.#ids.delete(oldest);
    }
    return false;
  }

  get size(): number {
    return this.#ids.size;
  }
}
