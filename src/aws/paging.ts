/** The two loops of calls every AWS reader needs: following a listing's pages, and polling for a state. */
import { AwsError } from "../errors.js";

/**
 * The pages of a paginated call: `fetch` with no token first, then with each page's `next`, until a
 * page has none or repeats the token it was fetched with (a service that echoes its token back would
 * never end), at most `maxPages` pages.
 *
 * @example for await (const page of pages((t) => list({ NextToken: t }), (p) => p.NextToken)) use(page)
 */
export async function* pages<P, T>(
  fetch: (token: T | undefined) => Promise<P>,
  next: (page: P) => T | undefined,
  maxPages = 100_000,
): AsyncGenerator<P> {
  let token: T | undefined;
  for (let n = 0; n < maxPages; n++) {
    const page = await fetch(token);
    yield page;
    const t = next(page);
    if (t === undefined || t === token) return;
    token = t;
  }
}

/** What {@link waitForState} needs of a run: its clock and its (abortable) sleep. */
export interface PollClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/**
 * Polls `read` until the state it reports is `target`, waiting 0.25 s between calls and doubling to
 * 5 s, and returns the value read with it; past `timeoutMs`: "<what> is still <state> after <n>s".
 * `read` throws to stop early (a state that will never turn into `target`).
 */
export async function waitForState<T>(
  clock: PollClock,
  what: string,
  target: string,
  timeoutMs: number,
  read: () => Promise<{ state: string | undefined; value: T }>,
): Promise<T> {
  const deadline = clock.now() + timeoutMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    const { state, value } = await read();
    if (state === target) return value;
    if (clock.now() > deadline) throw new AwsError(`${what} is still ${state} after ${timeoutMs / 1000}s`);
    await clock.sleep(delay);
  }
}
