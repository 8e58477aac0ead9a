// listAll: a paginated listing's items, its failures translated for what is listed (no SDK: the
// listing call is a plain function).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AwsClients } from "../../../src/aws/clients.js";
import { type AwsRun, listAll } from "../../../src/aws/streams.js";
import { AuthError, NotFoundError } from "../../../src/errors.js";

function run(): AwsRun {
  const clients = { settings: {} } as unknown as AwsClients;
  return { clients, signal: new AbortController().signal, now: () => 0, sleep: async () => undefined };
}

interface Page {
  Items?: number[];
  Next?: string;
}

test("listAll: every page's items in order, each call with the token of the page before and the run's signal", async () => {
  const r = run();
  const asked: Array<string | undefined> = [];
  const book: Record<string, Page> = {
    "": { Items: [1, 2], Next: "a" },
    a: { Items: [3], Next: "b" },
    b: { Items: [4], Next: "" },
  };
  const items = await listAll(
    r,
    "things",
    async (token: string | undefined, abortSignal) => {
      assert.equal(abortSignal, r.signal);
      asked.push(token);
      return book[token ?? ""] as Page;
    },
    { next: (p) => p.Next, items: (p) => p.Items },
  );
  assert.deepEqual(items, [1, 2, 3, 4]);
  assert.deepEqual(asked, [undefined, "a", "b"], "an empty next token ends the listing");
});

test("listAll: at most maxPages pages, and a repeated token ends the listing", async () => {
  let calls = 0;
  const endless = async (): Promise<Page> => ({ Items: [++calls], Next: String(calls) });
  assert.deepEqual(
    await listAll(run(), "things", endless, { next: (p) => p.Next, items: (p) => p.Items }, 3),
    [1, 2, 3],
  );
  const echo = async (token: string | undefined): Promise<Page> => ({ Items: [0], Next: token ?? "same" });
  const items = await listAll(run(), "things", echo, { next: (p) => p.Next, items: (p) => p.Items });
  assert.equal(items.length, 2);
});

test("listAll: failures are translated for the subject; dynastream's own errors pass as they are", async () => {
  const denied = Object.assign(new Error("no"), { name: "AccessDeniedException" });
  await assert.rejects(
    listAll(run(), "things of X", async () => Promise.reject(denied), {
      next: () => undefined,
      items: () => [],
    }),
    (e: unknown) => e instanceof AuthError && /access denied to things of X: no/.test(e.message),
  );
  const own = new NotFoundError("bucket b not found");
  await assert.rejects(
    listAll(run(), "things", async () => Promise.reject(own), { next: () => undefined, items: () => [] }),
    (e: unknown) => e === own,
  );
});
