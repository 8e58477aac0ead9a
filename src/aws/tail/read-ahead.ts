/**
 * The read-ahead of the live tail reader: the events waiting for the consumer, and how many more the
 * shards may fetch. Every shard reserves room for the page it is about to fetch before calling
 * GetRecords, so memory stays bounded whatever the number of shards.
 */
import type { TailEvent } from "./events.js";
import { EventQueue } from "./plumbing.js";

/**
 * Read-ahead, in pages: shards stop fetching while about this many pages of records wait for the
 * consumer or are on their way (a GetRecords call in flight counts as a page of the size its shard's
 * last page had). A page here is as large as the pages read so far (their mean), and the read-ahead is
 * never less than one full page (`pageLimit` records): many small pages are fetched in parallel, few
 * large ones. Records that wait long make peak memory: a record that outlives two young-generation
 * collections is copied to the old generation, whose garbage then grows to several times the live
 * heap before a full collection (bench/RESULTS.md, "Peak RSS at 1,000 shards").
 */
export const QUEUED_PAGES = 4;

/** The event queue of a run, sized by the pages its shards read. */
export class ReadAhead {
  /** Events waiting for the consumer, in push order. */
  readonly queue: EventQueue<TailEvent>;
  readonly #pageLimit: number;
  /** Mean size of the last pages that had records (0 before the first). */
  #typicalPage = 0;
  #pagesWithRecords = 0;

  constructor(pageLimit: number) {
    this.#pageLimit = pageLimit;
    this.queue = new EventQueue<TailEvent>(pageLimit);
  }

  /** Counts a page of `records` records: pages with records set the read-ahead. */
  sawPage(records: number): void {
    if (records === 0) return;
    this.#pagesWithRecords++;
    this.#typicalPage += (records - this.#typicalPage) / Math.min(this.#pagesWithRecords, 16);
    this.queue.setHighWater(Math.max(this.#pageLimit, Math.round(QUEUED_PAGES * this.#typicalPage)));
  }

  /** What a shard's first call is expected to bring: a page of the size seen so far, else a full page. */
  firstPageEstimate(): number {
    return this.#pagesWithRecords > 0 ? Math.round(this.#typicalPage) : this.#pageLimit;
  }
}
