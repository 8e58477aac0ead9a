// Lease-table rows to leases: single-stream (leaseKey = shard id) and multi-stream rows.
import assert from "node:assert/strict";
import { test } from "node:test";
import { kinesisStreamOwns, leaseFromItem, leasesOfStream, splitLeases } from "../../../src/aws/kcl.js";

test("a single-stream row: leaseKey is the shard id; parentShardId as a string set", () => {
  assert.deepEqual(
    leaseFromItem({
      leaseKey: { S: "shardId-1" },
      checkpoint: { S: "000000000000000000042" },
      leaseOwner: { S: "worker-1" },
      parentShardId: { SS: ["shardId-0"] },
      leaseCounter: { N: "3" },
    }),
    {
      leaseKey: "shardId-1",
      shardId: "shardId-1",
      checkpoint: "000000000000000000042",
      leaseOwner: "worker-1",
      parentShardIds: ["shardId-0"],
    },
  );
  assert.equal(leaseFromItem({ checkpoint: { S: "LATEST" } }), undefined, "not a lease row");
  assert.equal(leaseFromItem({ leaseKey: { S: "s" }, leaseOwner: { S: "" } })?.leaseOwner, undefined);
});

test("multi-stream rows: shardId attribute, and only the rows of this stream are kept", () => {
  const mine = leaseFromItem({
    leaseKey: { S: "123456789012:us-east-1$123456789012$Orders$2026-01-01T00_00_00.000:1:shardId-7" },
    streamName: { S: "123456789012:us-east-1$123456789012$Orders$2026-01-01T00_00_00.000:1" },
    shardId: { S: "shardId-7" },
    checkpoint: { S: "TRIM_HORIZON" },
  });
  const other = leaseFromItem({
    leaseKey: { S: "x:shardId-8" },
    streamName: { S: "123456789012:us-east-1$123456789012$Users$2026-01-01T00_00_00.000:1" },
    shardId: { S: "shardId-8" },
  });
  const single = leaseFromItem({ leaseKey: { S: "shardId-9" } });
  assert.equal(mine?.shardId, "shardId-7");
  const kept = leasesOfStream(
    [mine, other, single].filter((l) => l !== undefined),
    "Orders",
    "2026-01-01T00:00:00.000",
  );
  assert.deepEqual(
    kept.map((l) => l.shardId),
    ["shardId-7", "shardId-9"],
  );
});

test("KCL 3.x: only lease rows are leases (worker-metrics and coordinator-state rows are not)", () => {
  const lease = leaseFromItem({
    leaseKey: { S: "shardId-1" },
    entityType: { S: "LEASE" },
    checkpoint: { S: "42" },
  });
  assert.equal(lease?.shardId, "shardId-1");
  assert.equal(
    leaseFromItem({ leaseKey: { S: "worker-a" }, entityType: { S: "WORKER_METRICS" } }),
    undefined,
  );
  assert.equal(
    leaseFromItem({ leaseKey: { S: "Leader" }, entityType: { S: "COORDINATOR_STATE" } }),
    undefined,
  );
  assert.equal(
    leaseFromItem({ wid: { S: "worker-a" }, lastUpdateTime: { N: "1" } }),
    undefined,
    "a worker-metrics row",
  );
});

test("the adapter's multi-stream lease key names the stream and the shard when no attributes do", () => {
  const l = leaseFromItem({
    leaseKey: {
      S: "123456789012:us-east-1$123456789012$Orders$2026-01-01T00_00_00.000:1:shardId-00000001767225600000-1a2b3c4d",
    },
    checkpoint: { S: "49900000000000000000000000000001" },
  });
  assert.equal(l?.shardId, "shardId-00000001767225600000-1a2b3c4d");
  assert.equal(l?.streamName, "123456789012:us-east-1$123456789012$Orders$2026-01-01T00_00_00.000:1");
  const kept = leasesOfStream(l ? [l] : [], "Orders", "2026-01-01T00:00:00.000");
  assert.equal(kept.length, 1);
  assert.equal(leasesOfStream(l ? [l] : [], "Users", "2026-01-01T00:00:00.000").length, 0);
});

test("Kinesis multi-stream leases: `<account>:<stream>:<epoch>:<shard>` keys name this stream or another", () => {
  const owns = kinesisStreamOwns("arn:aws:kinesis:us-east-1:123456789012:stream/orders");
  const rows = [
    "123456789012:orders:1700000000:shardId-000000000001",
    "123456789012:orders-v2:1700000000:shardId-000000000001",
    "999999999999:orders:1700000000:shardId-000000000002",
    "shardId-000000000003",
  ].map((k) => leaseFromItem({ leaseKey: { S: k }, checkpoint: { S: "TRIM_HORIZON" } }));
  const { leases, otherStreams } = splitLeases(
    rows.filter((l) => l !== undefined),
    owns,
  );
  assert.deepEqual(
    leases.map((l) => l.shardId),
    ["shardId-000000000001", "shardId-000000000003"],
    "this stream's lease, and a single-stream lease",
  );
  assert.deepEqual(otherStreams, ["123456789012:orders-v2:1700000000", "999999999999:orders:1700000000"]);
  assert.equal(owns("us-east-1$123456789012$orders$label:1"), false, "a DynamoDB stream's identifier");
});
