/**
 * Host of the Kinesis benchmark (run by bench/suites/kinesis.mjs with `node --import tsx`, over an IPC
 * channel): kinesalite behind the tests' proxy (test/helpers/kinesis.ts `startKinesis`, which fills
 * kinesalite's gaps the product relies on: StreamARN, MillisBehindLatest, ChildShards), plus a
 * counting proxy in front of it that counts GetRecords calls and the records their answers carry.
 * Records are what DynamoDB's Kinesis destination writes (the stand-in's `destinationRecord`, from
 * bench/data.mjs's MODIFY records), put with PutRecords, 500 per call.
 *
 * Its stdout is not used (node:test, which the helpers import, prints a report there at exit). First
 * message: `{ endpoint, countingEndpoint }`. Then it answers messages `{ id, cmd, ... }` with
 * `{ id, ok, ... }` or `{ id, error }`:
 *   create { shards }                    → { name, arn }
 *   load { name, count, first, small }  → { ms }  (records first..first+count-1; `small`: keys and a
 *                                                   short NewImage only, for the seek's bulk)
 *   counts                               → { getRecords, records } (counting proxy, since the last reset)
 *   reset                                → {}
 *   stop                                 → exits
 * Usage: node --import tsx bench/kinesis-host.ts
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, request } from "node:http";
import type { AddressInfo } from "node:net";
import { PutRecordsCommand, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { type KinesisEmulator, startKinesis } from "../test/helpers/kinesis.js";
import { destinationRecord } from "../test/helpers/standins/kinesis-destination-server.js";
// @ts-expect-error: plain ESM without types (bench data shared with the other suites)
import { modifyRecord } from "./data.mjs";

type Send = (m: unknown) => void;
const send: Send = (m) => process.send?.(m);

/** The i-th change as the destination's JSON document (MODIFY, old and new images, µs precision). */
function changeDocument(i: number, small: boolean, timeMicros: bigint): Record<string, unknown> {
  const rec = (
    small
      ? {
          eventName: "INSERT",
          dynamodb: {
            Keys: { pk: { S: `item-${i}` } },
            NewImage: { pk: { S: `item-${i}` }, n: { N: String(i) } },
            SizeBytes: 30,
          },
        }
      : modifyRecord(i)
  ) as Parameters<typeof destinationRecord>[0];
  return destinationRecord(rec, "Orders", "MICROSECOND", timeMicros);
}

/** Puts records first..first+count-1 with PutRecords (500 per call, 4 calls in flight), retrying failures. */
async function load(k: KinesisEmulator, name: string, first: number, count: number, small: boolean) {
  let next = first;
  const end = first + count;
  async function worker(): Promise<void> {
    while (next < end) {
      const from = next;
      next = Math.min(end, from + 500);
      let entries: PutRecordsRequestEntry[] = [];
      const micros = BigInt(Date.now()) * 1000n;
      for (let i = from; i < next; i++) {
        const doc = changeDocument(i, small, micros);
        entries.push({
          PartitionKey: createHash("md5")
            .update(JSON.stringify((doc.dynamodb as { Keys: unknown }).Keys))
            .digest("hex")
            .toUpperCase(),
          Data: Buffer.from(JSON.stringify(doc)),
        });
      }
      for (let attempt = 0; entries.length > 0; attempt++) {
        const out = await k.client.send(new PutRecordsCommand({ StreamName: name, Records: entries }));
        if (!out.FailedRecordCount) break;
        entries = entries.filter((_, j) => out.Records?.[j]?.ErrorCode !== undefined);
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  }
  await Promise.all(Array.from({ length: 4 }, worker));
}

/** A pass-through proxy that counts GetRecords calls and the records in their answers. */
async function countingProxy(target: string) {
  const to = new URL(target);
  const counts = { getRecords: 0, records: 0 };
  const server = createServer((inReq: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    inReq.on("data", (c: Buffer) => chunks.push(c));
    inReq.on("end", () => {
      const body = Buffer.concat(chunks);
      const op = String(inReq.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
      const fwd = request(
        {
          host: to.hostname,
          port: to.port,
          method: inReq.method,
          path: inReq.url,
          headers: { ...inReq.headers, host: to.host },
        },
        (back) => {
          const parts: Buffer[] = [];
          back.on("data", (c: Buffer) => parts.push(c));
          back.on("end", () => {
            const out = Buffer.concat(parts);
            if (op === "GetRecords") {
              counts.getRecords += 1;
              if (back.statusCode === 200) {
                const n = (JSON.parse(out.toString("utf8")) as { Records?: unknown[] }).Records?.length ?? 0;
                counts.records += n;
              }
            }
            res.writeHead(back.statusCode ?? 500, back.headers);
            res.end(out);
          });
        },
      );
      fwd.on("error", (e) => {
        res.writeHead(500);
        res.end(String(e));
      });
      fwd.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { endpoint, counts, server };
}

const k = await startKinesis({ listShardsPageSize: 100 });
const counting = await countingProxy(k.endpoint);
send({ endpoint: k.endpoint, countingEndpoint: counting.endpoint });

async function answer(m: Record<string, unknown>): Promise<Record<string, unknown>> {
  switch (m.cmd) {
    case "create": {
      const s = await k.createStream({ shards: Number(m.shards ?? 1) });
      return { name: s.name, arn: s.arn };
    }
    case "load": {
      const t0 = performance.now();
      await load(k, String(m.name), Number(m.first ?? 0), Number(m.count), m.small === true);
      return { ms: performance.now() - t0 };
    }
    case "counts":
      return { ...counting.counts };
    case "reset":
      counting.counts.getRecords = 0;
      counting.counts.records = 0;
      return {};
    default:
      throw new Error(`unknown command ${String(m.cmd)}`);
  }
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  counting.server.closeAllConnections();
  counting.server.close();
  await k.stop();
  process.exit(0);
}

process.on("message", (m: Record<string, unknown>) => {
  if (m.cmd === "stop") {
    void stop();
    return;
  }
  answer(m).then(
    (out) => send({ id: m.id, ok: true, ...out }),
    (e: unknown) => send({ id: m.id, error: String((e as Error)?.stack ?? e) }),
  );
});
process.on("disconnect", () => void stop());
process.on("SIGTERM", () => void stop());
