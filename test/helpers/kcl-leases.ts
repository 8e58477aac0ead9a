// KCL lease tables for tests, in DynamoDB Local: one row factory for the shapes KCL writes (1.x/2.x
// single-stream leases keyed by shard id, multi-stream leases keyed `<stream identifier>:<shard id>`,
// KCL 3.x rows tagged with an `entityType`), and a table (hash key `leaseKey`) holding such rows.
import { type AttributeValue, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { clients, createTable, uniqueName } from "./ddb.js";

/** One lease-table row; attributes left out are not written. */
export interface LeaseRow {
  leaseKey: string;
  checkpoint?: string;
  leaseOwner?: string;
  parentShardId?: string[];
  /** Multi-stream leases (KCL 2.x/3.x) also carry these; the adapter's may not. */
  shardId?: string;
  streamName?: string;
  /** KCL 3.x single-table rows: `LEASE`, `WORKER_METRICS_STATS`, `COORDINATOR_STATE`… */
  entityType?: string;
}

/** The DynamoDB item KCL writes for a lease (with the counters KCL keeps beside it). */
export function leaseItem(l: LeaseRow): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    leaseKey: { S: l.leaseKey },
    leaseCounter: { N: "7" },
    ownerSwitchesSinceCheckpoint: { N: "0" },
    checkpointSubSequenceNumber: { N: "0" },
  };
  if (l.checkpoint !== undefined) item.checkpoint = { S: l.checkpoint };
  if (l.leaseOwner !== undefined) item.leaseOwner = { S: l.leaseOwner };
  if (l.parentShardId) item.parentShardId = { SS: l.parentShardId };
  if (l.shardId !== undefined) item.shardId = { S: l.shardId };
  if (l.streamName !== undefined) item.streamName = { S: l.streamName };
  if (l.entityType !== undefined) item.entityType = { S: l.entityType };
  return item;
}

/** Writes (or overwrites) rows of a lease table. */
export async function putLeaseRows(
  endpoint: string,
  table: string,
  rows: readonly LeaseRow[],
): Promise<void> {
  const { ddb } = clients(endpoint);
  try {
    for (const r of rows) await ddb.send(new PutItemCommand({ TableName: table, Item: leaseItem(r) }));
  } finally {
    ddb.destroy();
  }
}

/** A new lease table (removed when the test file ends) holding these rows. */
export async function createLeaseTable(endpoint: string, rows: readonly LeaseRow[]): Promise<string> {
  const name = await createTable(endpoint, {
    name: uniqueName("kcl-leases"),
    hashKey: "leaseKey",
    viewType: null,
  });
  await putLeaseRows(endpoint, name, rows);
  return name;
}
