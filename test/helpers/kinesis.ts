/**
 * Kinesis Data Streams for tests: kinesalite (the npm Kinesis emulator) in memory on a free port,
 * behind a thin loopback proxy that covers kinesalite 3.3.3's gaps — the harness's business, never
 * the product's, which stays written for real Kinesis:
 *
 * - requests that name the stream only by `StreamARN` (kinesalite requires `StreamName`): the proxy
 *   rewrites `StreamARN` to `StreamName`;
 * - `ListStreamConsumers` (kinesalite lacks it): the proxy answers from consumers registered with
 *   {@link KinesisEmulator.addConsumer} (none by default), as `{"Consumers":[…]}`;
 * - GetShardIterator `AT_TIMESTAMP` for a time past a shard's last record (kinesalite never answers):
 *   patched in kinesalite's action module before it loads, to answer an iterator at the shard's tip,
 *   as real Kinesis does (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetShardIterator.html:
 *   "If the timestamp … is later than the latest record, the iterator returned is for the next
 *   (future) record").
 *
 * - ListShards pagination (kinesalite ignores MaxResults and answers every shard at once): the proxy
 *   cuts answers into pages of `listShardsPageSize` shards (3 by default) with a NextToken, so that
 *   paging is always exercised.
 *
 * - GetRecords `MillisBehindLatest` (kinesalite always answers 0, even when the page was cut by its
 *   Limit): the proxy peeks one record past the page with the next iterator and answers how far
 *   behind the tip the page ends (0 only when nothing follows), as real Kinesis does.
 *
 * - `ChildShards` (kinesalite never sends them): when a GetRecords answer ends a shard, the proxy adds
 *   the shard's children (from ListShards), as real Kinesis does.
 *
 * - Faults real Kinesis answers and kinesalite never does (throttling, a trimmed sequence number…):
 *   {@link KinesisEmulator.fault}, when set, may answer any request with an error of its choosing.
 *
 * Every request goes through the proxy, so {@link KinesisEmulator.calls} counts them by operation.
 * One emulator is started per test process (first use) and stopped when the file ends.
 */

import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { after } from "node:test";
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { TEST_CREDENTIALS, TEST_REGION, uniqueName } from "./ddb.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** kinesalite's account id (from AWS_ACCOUNT_ID, else zeros) as it writes it into ARNs. */
export const KINESIS_ACCOUNT = "000000000000";

/** A registered enhanced fan-out consumer, as ListStreamConsumers lists it. */
export interface StandinConsumer {
  ConsumerName: string;
  ConsumerARN: string;
  ConsumerStatus: "CREATING" | "DELETING" | "ACTIVE";
  ConsumerCreationTimestamp: number;
}

export interface KinesisEmulator {
  /** The proxy's URL: give it to clients (AWS_ENDPOINT_URL_KINESIS). */
  endpoint: string;
  /** An SDK client for the test's own setup calls (HTTP/1.1, test credentials). */
  client: KinesisClient;
  /** Creates a stream (ACTIVE at once) with `shards` shards; returns its name and ARN. */
  createStream(opts?: { name?: string; shards?: number }): Promise<{ name: string; arn: string }>;
  /** Registers an enhanced fan-out consumer that ListStreamConsumers lists for `streamArn`. */
  addConsumer(streamArn: string, name: string): StandinConsumer;
  /** Requests seen by the proxy, by operation name (GetRecords, GetShardIterator, …). */
  calls: Map<string, number>;
  /**
   * When set, called with each request (operation, JSON body as sent); an answer it returns is sent
   * instead of kinesalite's (HTTP 400 unless `status`, AWS JSON error body `{"__type","message"}`).
   * Tests set it and reset it to undefined.
   */
  fault: KinesisFault | undefined;
  /** GetRecords answers at a shard's end to which the proxy added ChildShards. */
  childShardAnswers: { count: number };
  /** Stops the proxy and kinesalite. */
  stop(): Promise<void>;
}

/** Decides whether the proxy answers a request with an error (see {@link KinesisEmulator.fault}). */
export type KinesisFault = (
  op: string,
  request: Record<string, unknown>,
) => { type: string; message: string; status?: number } | undefined;

/** The ARN kinesalite gives a stream of that name. */
export function kinesisStreamArn(name: string): string {
  return `arn:aws:kinesis:${TEST_REGION}:${KINESIS_ACCOUNT}:stream/${name}`;
}

/** A Kinesis client over HTTP/1.1 (kinesalite does not speak HTTP/2). */
export function kinesisClient(endpoint: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    // Bounded waits: a call that hangs on a loaded machine fails (and is retried) instead.
    requestHandler: new NodeHttpHandler({
      requestTimeout: 10_000,
      connectionTimeout: 5_000,
      throwOnRequestTimeout: true,
    }),
  });
}

interface KinesaliteStore {
  getStream(name: string, cb: (err: unknown, stream?: { Shards: Array<unknown> }) => void): void;
  getStreamDb(name: string): {
    createReadStream(opts: { gt: string; lt: string }): NodeJS.ReadableStream;
  };
}
type ActionCallback = (err: unknown, out?: unknown) => void;
type Action = (store: KinesaliteStore, data: Record<string, unknown>, cb: ActionCallback) => void;

let patched = false;

/**
 * Replaces kinesalite's GetShardIterator action (in the require cache, before kinesalite's index
 * loads it) with one that answers AT_TIMESTAMP past the last record: it scans the shard once; when
 * no record arrived at or after the time, it answers LATEST's iterator, else defers to kinesalite.
 */
function patchKinesalite(req: NodeJS.Require): void {
  if (patched) return;
  patched = true;
  const path = req.resolve("kinesalite/actions/getShardIterator.js");
  const original = req(path) as Action;
  const db = req("kinesalite/db") as {
    resolveShardId(id: unknown): { shardIx: number };
    shardIxToHex(ix: number): string;
  };
  const fixed: Action = (store, data, cb) => {
    if (data.ShardIteratorType !== "AT_TIMESTAMP" || typeof data.Timestamp !== "number") {
      original(store, data, cb);
      return;
    }
    let shardIx: number;
    try {
      shardIx = db.resolveShardId(data.ShardId).shardIx;
    } catch {
      original(store, data, cb);
      return;
    }
    const ts = data.Timestamp;
    const stream = store
      .getStreamDb(String(data.StreamName))
      .createReadStream({ gt: db.shardIxToHex(shardIx), lt: db.shardIxToHex(shardIx + 1) });
    let found = false;
    stream.on("data", (item: { value: { ApproximateArrivalTimestamp: number } }) => {
      if (!found && item.value.ApproximateArrivalTimestamp >= ts) found = true;
    });
    stream.on("error", (e) => cb(e));
    stream.on("end", () => {
      if (found) original(store, data, cb);
      else original(store, { ...data, ShardIteratorType: "LATEST", Timestamp: undefined }, cb);
    });
  };
  const cached = req.cache[path];
  if (cached) cached.exports = fixed;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

/** Starts kinesalite and the proxy (a new pair; most tests use {@link kinesisEmulator}). */
export async function startKinesis(opts: { listShardsPageSize?: number } = {}): Promise<KinesisEmulator> {
  const pageSize = opts.listShardsPageSize ?? 3;
  const req = createRequire(import.meta.url);
  patchKinesalite(req);
  const kinesalite = req("kinesalite") as (opts: Record<string, unknown>) => Server;
  const backend = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  const backendPort = await listen(backend);
  const consumers = new Map<string, StandinConsumer[]>();
  /** The stream and shard of every iterator handed out (kinesalite's are opaque), for ChildShards. */
  const iteratorShard = new Map<string, { stream: string; shardId: string }>();
  const calls = new Map<string, number>();
  const childShardAnswers = { count: 0 };
  const emulator = { fault: undefined as KinesisFault | undefined };

  function forward(
    inReq: IncomingMessage,
    body: Buffer,
    target?: string,
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    const headers = {
      ...inReq.headers,
      "content-length": String(body.length),
      host: `127.0.0.1:${backendPort}`,
      ...(target ? { "x-amz-target": target } : {}),
    };
    return new Promise((resolve, reject) => {
      const fwd = request(
        { host: "127.0.0.1", port: backendPort, method: inReq.method, path: inReq.url, headers },
        (back) => {
          readBody(back).then(
            (b) => resolve({ status: back.statusCode ?? 500, headers: back.headers, body: b }),
            reject,
          );
        },
      );
      fwd.on("error", reject);
      fwd.end(body);
    });
  }

  async function handle(inReq: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(inReq);
    const target = String(inReq.headers["x-amz-target"] ?? "");
    const op = target.split(".")[1] ?? "";
    calls.set(op, (calls.get(op) ?? 0) + 1);
    let out = body;
    const json = /json/.test(String(inReq.headers["content-type"] ?? ""));
    if (json && body.length > 0) {
      const data = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      const fault = emulator.fault?.(op, data);
      if (fault) {
        const text = JSON.stringify({ __type: fault.type, message: fault.message });
        res.writeHead(fault.status ?? 400, {
          "content-type": "application/x-amz-json-1.1",
          "content-length": Buffer.byteLength(text),
        });
        res.end(text);
        return;
      }
      if (op === "ListStreamConsumers") {
        const list = consumers.get(String(data.StreamARN)) ?? [];
        const text = JSON.stringify({ Consumers: list });
        res.writeHead(200, {
          "content-type": "application/x-amz-json-1.1",
          "content-length": Buffer.byteLength(text),
        });
        res.end(text);
        return;
      }
      let page: { offset: number; max: number } | undefined;
      if (op === "ListShards") {
        let offset = 0;
        if (typeof data.NextToken === "string") {
          const t = JSON.parse(Buffer.from(data.NextToken, "base64").toString("utf8")) as {
            s: string;
            o: number;
          };
          data.StreamName = t.s;
          offset = t.o;
          delete data.NextToken;
        }
        const max = Math.min(pageSize, typeof data.MaxResults === "number" ? data.MaxResults : pageSize);
        delete data.MaxResults;
        page = { offset, max };
      }
      if (typeof data.StreamARN === "string" && data.StreamName === undefined) {
        const m = /:stream\/([^/]+)$/.exec(data.StreamARN);
        if (m) data.StreamName = m[1];
        delete data.StreamARN;
      }
      out = Buffer.from(JSON.stringify(data));
      if (op === "GetShardIterator") {
        const back = await forward(inReq, out);
        if (back.status === 200) {
          const it = (JSON.parse(back.body.toString("utf8")) as { ShardIterator?: string }).ShardIterator;
          if (it) iteratorShard.set(it, { stream: String(data.StreamName), shardId: String(data.ShardId) });
        }
        res.writeHead(back.status, back.headers);
        res.end(back.body);
        return;
      }
      if (op === "GetRecords") {
        const back = await forward(inReq, out);
        if (back.status === 200) {
          const body = JSON.parse(back.body.toString("utf8")) as {
            NextShardIterator?: string;
            MillisBehindLatest?: number;
            ChildShards?: unknown[];
          };
          const at = iteratorShard.get(String(data.ShardIterator));
          if (at && body.NextShardIterator) iteratorShard.set(body.NextShardIterator, at);
          if (at && !body.NextShardIterator) {
            // The shard ended: real Kinesis names its children (ChildShards); kinesalite does not.
            const listed = await forward(
              inReq,
              Buffer.from(JSON.stringify({ StreamName: at.stream })),
              "Kinesis_20131202.ListShards",
            );
            if (listed.status === 200) {
              const shards = (
                JSON.parse(listed.body.toString("utf8")) as {
                  Shards: Array<{
                    ShardId: string;
                    ParentShardId?: string;
                    AdjacentParentShardId?: string;
                    HashKeyRange: unknown;
                  }>;
                }
              ).Shards;
              body.ChildShards = shards
                .filter((x) => x.ParentShardId === at.shardId || x.AdjacentParentShardId === at.shardId)
                .map((x) => ({
                  ShardId: x.ShardId,
                  ParentShards: [x.ParentShardId, x.AdjacentParentShardId].filter((p) => p !== undefined),
                  HashKeyRange: x.HashKeyRange,
                }));
              childShardAnswers.count += 1;
            }
          }
          if (body.NextShardIterator) {
            const peekBody = Buffer.from(JSON.stringify({ ShardIterator: body.NextShardIterator, Limit: 1 }));
            const peek = await forward(inReq, peekBody);
            if (peek.status === 200) {
              const next = (
                JSON.parse(peek.body.toString("utf8")) as {
                  Records?: Array<{ ApproximateArrivalTimestamp: number }>;
                }
              ).Records?.[0];
              body.MillisBehindLatest = next
                ? Math.max(1, Date.now() - Math.round(next.ApproximateArrivalTimestamp * 1000))
                : 0;
            }
          }
          const text = JSON.stringify(body);
          res.writeHead(200, {
            "content-type": "application/x-amz-json-1.1",
            "content-length": Buffer.byteLength(text),
          });
          res.end(text);
          return;
        }
        res.writeHead(back.status, back.headers);
        res.end(back.body);
        return;
      }
      if (page) {
        const back = await forward(inReq, out);
        if (back.status !== 200) {
          res.writeHead(back.status, back.headers);
          res.end(back.body);
          return;
        }
        const all = (JSON.parse(back.body.toString("utf8")) as { Shards: unknown[] }).Shards;
        const slice = all.slice(page.offset, page.offset + page.max);
        const more = page.offset + page.max < all.length;
        const next = Buffer.from(JSON.stringify({ s: data.StreamName, o: page.offset + page.max })).toString(
          "base64",
        );
        const text = JSON.stringify({ Shards: slice, ...(more ? { NextToken: next } : {}) });
        res.writeHead(200, {
          "content-type": "application/x-amz-json-1.1",
          "content-length": Buffer.byteLength(text),
        });
        res.end(text);
        return;
      }
    }
    const headers = {
      ...inReq.headers,
      "content-length": String(out.length),
      host: `127.0.0.1:${backendPort}`,
    };
    const fwd = request(
      { host: "127.0.0.1", port: backendPort, method: inReq.method, path: inReq.url, headers },
      (back) => {
        res.writeHead(back.statusCode ?? 500, back.headers);
        back.pipe(res);
      },
    );
    fwd.on("error", (e) => {
      res.writeHead(500);
      res.end(String(e));
    });
    fwd.end(out);
  }

  const proxy = createServer((q, s) => {
    handle(q, s).catch((e) => {
      s.writeHead(500);
      s.end(String(e));
    });
  });
  const port = await listen(proxy);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = kinesisClient(endpoint);
  return {
    endpoint,
    client,
    calls,
    childShardAnswers,
    get fault() {
      return emulator.fault;
    },
    set fault(f: KinesisFault | undefined) {
      emulator.fault = f;
    },
    async createStream(opts = {}) {
      const name = opts.name ?? uniqueName("ks");
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: opts.shards ?? 1 }));
      for (;;) {
        const d = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
        if (d.StreamDescriptionSummary?.StreamStatus === "ACTIVE") break;
        await new Promise((r) => setTimeout(r, 20));
      }
      return { name, arn: kinesisStreamArn(name) };
    },
    addConsumer(streamArn, name) {
      const c: StandinConsumer = {
        ConsumerName: name,
        ConsumerARN: `${streamArn}/consumer/${name}:${Math.floor(Date.now() / 1000)}`,
        ConsumerStatus: "ACTIVE",
        ConsumerCreationTimestamp: Date.now() / 1000,
      };
      const list = consumers.get(streamArn) ?? [];
      list.push(c);
      consumers.set(streamArn, list);
      return c;
    },
    async stop() {
      client.destroy();
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
      backend.closeAllConnections?.();
      await new Promise<void>((r) => backend.close(() => r()));
    },
  };
}

let shared: Promise<KinesisEmulator> | undefined;
// Registered once, at the file's top level (as ddb.ts's table cleanup), so it runs when the test
// file ends wherever the emulator was first asked for.
after(async () => {
  const k = shared;
  shared = undefined;
  if (k) await (await k).stop();
});

/** The test process's emulator, started on first use and stopped when the test file ends. */
export function kinesisEmulator(): Promise<KinesisEmulator> {
  shared ??= startKinesis();
  return shared;
}
