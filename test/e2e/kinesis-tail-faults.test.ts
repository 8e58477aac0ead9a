// End-to-end: `tail` on a Kinesis stream when Kinesis refuses — a checkpoint past the stream's
// retention (a gap, exit 6, as the DynamoDB stream's tail reports one) and throttling (backoff, every
// record exactly once). kinesalite holds the records; its proxy answers the faults real Kinesis gives
// (test/helpers/kinesis.ts `fault`).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PutRecordCommand } from "@aws-sdk/client-kinesis";
import { jsonLines, runCli } from "../helpers/cli.js";
import { cliEnv, ddbEndpoint } from "../helpers/ddb.js";
import { KINESIS_ACCOUNT, type KinesisEmulator, kinesisEmulator } from "../helpers/kinesis.js";
import { destinationRecord } from "../helpers/standins/kinesis-destination-server.js";

let k: KinesisEmulator;
let env: Record<string, string> = {};
before(async () => {
  k = await kinesisEmulator();
  env = cliEnv(await ddbEndpoint(), { AWS_ENDPOINT_URL_KINESIS: k.endpoint });
});
after(() => {
  k.fault = undefined;
});

interface Line {
  type: string;
  keys?: Record<string, unknown>;
  shardId?: string;
  sequenceNumber?: string;
  afterSequenceNumber?: string;
  reason?: string;
}

const lines = (stdout: string): Line[] => jsonLines<Line>(stdout);

/** A one-shard stream holding `pks.length` change records; their sequence numbers. */
async function streamWith(pks: string[]): Promise<{ arn: string; name: string; seqs: string[] }> {
  const s = await k.createStream();
  const seqs: string[] = [];
  for (const pk of pks) {
    const doc = destinationRecord(
      {
        eventName: "INSERT",
        dynamodb: { Keys: { pk: { S: pk } }, NewImage: { pk: { S: pk } }, SizeBytes: 10 },
      },
      "Direct",
      "MILLISECOND",
      BigInt(Date.now()) * 1000n,
    );
    const out = await k.client.send(
      new PutRecordCommand({ StreamARN: s.arn, PartitionKey: pk, Data: Buffer.from(JSON.stringify(doc)) }),
    );
    seqs.push(String(out.SequenceNumber));
  }
  return { ...s, seqs };
}

const SHARD = "shardId-000000000000";

describe("tail on Kinesis: faults", () => {
  test("a sequence number past the retention (GetShardIterator InvalidArgumentException) is a gap: gap line, stderr, exit 6; reading goes on at TRIM_HORIZON", async () => {
    const s = await streamWith(["r1", "r2", "r3"]);
    const trimmed = s.seqs[0] as string;
    let refused = 0;
    // What Kinesis answers for a StartingSequenceNumber it no longer holds.
    k.fault = (op, req) => {
      if (op !== "GetShardIterator" || req.StartingSequenceNumber !== trimmed) return undefined;
      refused++;
      return {
        type: "InvalidArgumentException",
        message: `StartingSequenceNumber ${trimmed} used in GetShardIterator on shard ${SHARD} in stream ${s.name} under account ${KINESIS_ACCOUNT} is invalid.`,
      };
    };
    try {
      const r = await runCli(
        ["tail", s.arn, "--shard", SHARD, "--after-sequence", trimmed, "--until-end", "--json"],
        { env },
      );
      assert.equal(r.code, 6, r.stderr);
      assert.ok(refused >= 1);
      const got = lines(r.stdout);
      assert.equal(got[0]?.type, "gap", r.stdout);
      assert.equal(got[0]?.shardId, SHARD);
      assert.equal(got[0]?.afterSequenceNumber, trimmed);
      assert.equal(got[0]?.reason, "trimmed");
      // The records the stream still holds, from TRIM_HORIZON (kinesalite never trims: all three).
      assert.deepEqual(
        got.slice(1).map((l) => l.keys?.pk),
        ["r1", "r2", "r3"],
      );
      assert.match(r.stderr, /error: 1 gap: records were trimmed/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    } finally {
      k.fault = undefined;
    }
  });

  test("a sequence number of another stream is an error, not a gap", async () => {
    const s = await streamWith(["x1"]);
    const foreign = "49590338271490256608559692538361571095921575989136588898";
    k.fault = (op, req) =>
      op === "GetShardIterator" && req.StartingSequenceNumber === foreign
        ? {
            type: "InvalidArgumentException",
            message: `StartingSequenceNumber ${foreign} used in GetShardIterator on shard ${SHARD} in stream ${s.name} under account ${KINESIS_ACCOUNT} is invalid because it did not come from this stream.`,
          }
        : undefined;
    try {
      const r = await runCli(
        ["tail", s.arn, "--shard", SHARD, "--after-sequence", foreign, "--until-end", "--json"],
        { env },
      );
      assert.notEqual(r.code, 0);
      assert.notEqual(r.code, 6, r.stderr);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /did not come from this stream/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    } finally {
      k.fault = undefined;
    }
  });

  test("ProvisionedThroughputExceededException and LimitExceededException back off; every record exactly once", async () => {
    const pks = ["t1", "t2", "t3", "t4", "t5", "t6"];
    const s = await streamWith(pks);
    const injected = new Map<string, number>();
    const seen = new Map<string, number>();
    // The first GetShardIterator calls and, after them, the first GetRecords calls are refused more
    // times in a row than the SDK's own retries (3 attempts) absorb, so the shard reader backs off too.
    k.fault = (op, req) => {
      const name = String(req.StreamName ?? req.StreamARN ?? "");
      if (op === "GetShardIterator" && !name.endsWith(s.name)) return undefined;
      const n = (seen.get(op) ?? 0) + 1;
      seen.set(op, n);
      const refuse = (type: string) => {
        injected.set(type, (injected.get(type) ?? 0) + 1);
        return { type, message: "Rate exceeded for shard" };
      };
      if (op === "GetShardIterator" && n <= 4) return refuse("LimitExceededException");
      if (op === "GetRecords" && n <= 4) return refuse("ProvisionedThroughputExceededException");
      return undefined;
    };
    try {
      const r = await runCli(["tail", s.arn, "--from", "trim-horizon", "--until-end", "--json", "--debug"], {
        env,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(injected.get("LimitExceededException"), 4);
      assert.equal(injected.get("ProvisionedThroughputExceededException"), 4);
      const got = lines(r.stdout);
      assert.deepEqual(
        got.map((l) => l.keys?.pk),
        pks,
        "every record once, in order",
      );
      assert.deepEqual(
        got.map((l) => l.sequenceNumber),
        s.seqs,
      );
      // The shard reader's own backoff (after the SDK's retries) shows under --debug.
      assert.match(r.stderr, /LimitExceededException; retry 1 in \d+ ms/);
      assert.match(r.stderr, /ProvisionedThroughputExceededException; retry 1 in \d+ ms/);
      assert.match(r.stderr, /0 gaps/);
      // The one warning names Kinesis's per-shard limits, not DynamoDB Streams' two readers.
      assert.match(r.stderr, /warning: AWS throttled reads .*5 GetRecords calls\/s and 2 MB\/s per shard/);
      assert.doesNotMatch(r.stderr, /global-table/);
    } finally {
      k.fault = undefined;
    }
  });
});
