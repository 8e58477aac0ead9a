/**
 * Shard discovery of the live tail reader (streams-api-and-lag.md §2 and Appendix A steps 2 and 5):
 * the first listing; at a shard's end, its children looked up with DescribeStream `ShardFilter
 * CHILD_SHARDS`, retried with backoff (50 ms → 1 s, 10 tries) since children can appear after their
 * parent closes, with a full re-listing as the last resort; and a full re-listing every 30 s as a
 * safety net (10 s while no shard is being read). Three or more look-ups due at once are one full
 * listing instead (fewer DescribeStream calls: they share 10 calls/s). Without a re-listing interval
 * (`--until-end`) only look-ups, their last-resort listing and, when shards were closed at the
 * snapshot, one final listing run. What is found goes to the tracker.
 *
 * The final listing: a split's children can be listed one after another, so a look-up that found one
 * child may have missed its sibling, and the API does not say how many children to expect. Live tail
 * finds a late sibling at the next re-listing; `--until-end` has none, so it lists the stream once
 * more when the child look-up schedule's span (CHILD_LOOKUP_SPAN_MS) has passed since the first
 * listing. By then every child of every shard closed at the snapshot is listed (those shards closed
 * before the first listing): one listing settles them all, however their look-ups went.
 */

import {
  CHILD_LOOKUP_ATTEMPTS,
  childLookupDelayMs,
  IDLE_RELIST_INTERVAL_MS,
  MAX_CALL_RETRIES,
  retryDelayMs,
} from "../../core/tail/backoff.js";
import type { ShardTracker } from "../../core/tail/tracker.js";
import { AuthError, AwsError, DynastreamError, NotFoundError, UsageError } from "../../errors.js";
import type { ListingApi, StreamListing } from "./api.js";
import type { CloseLatch } from "./plumbing.js";
import { Poke } from "./plumbing.js";

/** What discovery needs from its run. */
export interface DiscoveryRun {
  api: ListingApi;
  /** The first listing of the run (the reader plans the start from it). */
  first: StreamListing;
  tracker: ShardTracker;
  /** Closed when the run ends: the loop stops. */
  latch: CloseLatch;
  now(): number;
  /** Sleeps that end (with ReaderClosed) when the latch closes. */
  sleep(ms: number): Promise<void>;
  /** [0, 1) source for jitter. */
  random(): number;
  debug(message: string): void;
  /** Full re-listing interval; undefined for none (look-ups and their last-resort listing only). */
  relistEveryMs: number | undefined;
  /**
   * `--until-end` with shards closed at the snapshot: one more full listing this long after the first
   * (see the module comment); the run is busy until it is done. Undefined for none.
   */
  finalListingAfterMs?: number | undefined;
  /** True while no shard is being read (an idle run re-lists more often). */
  idle(): boolean;
  /** Called after each round: shards may have become readable, look-ups may have ended. */
  changed(): void;
}

interface Lookup {
  attempts: number;
  nextAt: number;
}

/** Lists a stream's shards and finds the children of ended shards, feeding the tracker. */
export class ShardDiscovery {
  readonly #run: DiscoveryRun;
  #listed: ReadonlySet<string> = new Set();
  #status: string | undefined;
  readonly #lookups = new Map<string, Lookup>();
  #forceRelist = false;
  #lastListingAt: number;
  /** When the final listing is due; undefined when none is (any more). */
  #finalListingAt: number | undefined;
  readonly #poke = new Poke();

  constructor(run: DiscoveryRun) {
    this.#run = run;
    this.#lastListingAt = run.now();
    const final = run.finalListingAfterMs;
    this.#finalListingAt = final === undefined ? undefined : run.now() + final;
    this.#noteListing(run.first);
  }

  /** Shard ids of the latest full listing. */
  get listedIds(): ReadonlySet<string> {
    return this.#listed;
  }

  /** The stream's status as last seen. */
  get status(): string | undefined {
    return this.#status;
  }

  /** True once the stream is disabled: its shards get no more children. */
  get disabled(): boolean {
    return this.#status === "DISABLED" || this.#status === "DISABLING";
  }

  /** True while children are being looked up or a last-resort or final listing is due. */
  get busy(): boolean {
    return this.#lookups.size > 0 || this.#forceRelist || this.#finalListingAt !== undefined;
  }

  /** Starts looking for the children of an ended shard (unless they are known or cannot come). */
  lookFor(shardId: string): void {
    if (this.disabled || this.#run.tracker.hasChildren(shardId) || this.#lookups.has(shardId)) return;
    this.#lookups.set(shardId, { attempts: 0, nextAt: this.#run.now() });
    this.#poke.poke();
  }

  /** The discovery loop: runs until the latch closes; rejects with a fatal listing error. */
  async run(): Promise<void> {
    const run = this.#run;
    let failures = 0;
    while (!run.latch.closed) {
      const now = run.now();
      const wakeAt = Math.min(this.#nextRelistAt(now), this.#nextLookupAt());
      if (wakeAt > now) {
        const poked = this.#poke.next();
        await run.latch.race(
          Number.isFinite(wakeAt) ? Promise.race([run.sleep(wakeAt - now), poked]) : poked,
        );
        continue;
      }
      const due = [...this.#lookups.entries()].filter(([, l]) => l.nextAt <= now);
      const relisting = now >= this.#nextRelistAt(now) || due.length >= 3;
      try {
        if (relisting) {
          this.#forceRelist = false;
          await this.#fullListing();
        } else {
          for (const [id] of due) await this.#lookUp(id);
        }
        failures = 0;
      } catch (e) {
        if (run.latch.closed) return;
        if (e instanceof NotFoundError || e instanceof AuthError || e instanceof UsageError) throw e;
        if (e instanceof DynastreamError && !(e instanceof AwsError)) throw e;
        if (failures >= MAX_CALL_RETRIES) throw e;
        const ms = retryDelayMs(failures++, run.random);
        run.debug(`listing stream: ${e instanceof Error ? e.message : String(e)}; retry in ${ms} ms`);
        await run.sleep(ms);
        continue;
      }
      this.#settle(due, relisting);
      run.changed();
    }
  }

  #nextRelistAt(now: number): number {
    if (this.#forceRelist) return now;
    const final = this.#finalListingAt ?? Number.POSITIVE_INFINITY;
    const every = this.#run.relistEveryMs;
    if (every === undefined) return final;
    return Math.min(final, this.#lastListingAt + (this.#run.idle() ? IDLE_RELIST_INTERVAL_MS : every));
  }

  #nextLookupAt(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const l of this.#lookups.values()) next = Math.min(next, l.nextAt);
    return next;
  }

  #noteListing(listing: StreamListing): void {
    this.#status = listing.status ?? this.#status;
    this.#listed = new Set(listing.shards.map((s) => s.shardId));
    this.#lastListingAt = this.#run.now();
  }

  async #fullListing(): Promise<void> {
    const startedAt = this.#run.now();
    const listing = await this.#run.api.listShards();
    this.#noteListing(listing);
    const added = this.#run.tracker.add(listing.shards);
    if (added.length > 0) this.#run.debug(`listing found ${added.length} new shard(s)`);
    // Any listing begun once the final one is due serves as it (e.g. a last-resort listing).
    if (this.#finalListingAt !== undefined && startedAt >= this.#finalListingAt)
      this.#finalListingAt = undefined;
  }

  async #lookUp(shardId: string): Promise<void> {
    const { children, status } = await this.#run.api.childShards(shardId);
    if (status !== undefined) this.#status = status;
    if (children.length > 0) {
      this.#run.debug(`shard ${shardId}: ${children.length} child shard(s)`);
      this.#run.tracker.add(children);
    }
  }

  /** After a round: found or hopeless look-ups end; the others wait for their next try. */
  #settle(due: Array<[string, Lookup]>, relisting: boolean): void {
    const run = this.#run;
    for (const [id, l] of due) {
      if (run.tracker.hasChildren(id) || this.disabled) {
        this.#lookups.delete(id);
      } else if (++l.attempts >= CHILD_LOOKUP_ATTEMPTS) {
        this.#lookups.delete(id);
        if (!relisting) this.#forceRelist = true; // last resort; then the periodic re-listing, if any
        run.debug(`shard ${id}: no children found yet; relying on a full listing`);
      } else {
        l.nextAt = run.now() + childLookupDelayMs(l.attempts - 1, run.random);
      }
    }
  }
}
