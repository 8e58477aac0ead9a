// End-to-end: `dynastream invoke` on a table's Kinesis Data Streams destination — DynamoDB Local behind
// the destination stand-in (which replicates changes into kinesalite in the destination's format), a
// real handler (test/fixtures/handlers/kinesis.mjs) receiving Lambda's Kinesis events; stdout (--json),
// stderr, exit codes, the on-failure file with KinesisBatchInfo.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { BatchInfo, OnFailureRecord } from "../../src/core/delivery/index.js";
import { jsonLines, runCli } from "../helpers/cli.js";
import { clients, createTable } from "../helpers/ddb.js";
import { type KinesisRig, startKinesisRig } from "../helpers/standins/kinesis-destination-server.js";

const HANDLER = resolve(import.meta.dirname, "../fixtures/handlers/kinesis.mjs");
const dir = mkdtempSync(join(tmpdir(), "dynastream-invoke-kinesis-"));
let rig: KinesisRig;
before(async () => {
  rig = await startKinesisRig({ transitionMs: 50 });
});
after(async () => {
  await rig.standin.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function until(what: string, ok: () => boolean, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) {
      throw new Error(
        `timed out waiting for ${what} (copy errors: ${rig.standin.errors().join("; ") || "none"})`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A table streaming to a new Kinesis stream, with one item per action (o1, o2, …) replicated. */
async function setup(actions: string[]): Promise<{ table: string; arn: string }> {
  const table = await createTable(rig.ddbLocal);
  const s = await rig.k.createStream();
  const en = await runCli(["enable", table, "--kinesis", s.name, "--wait"], { env: rig.env });
  assert.equal(en.code, 0, en.stderr);
  const before = rig.standin.replicated();
  const { ddb } = clients(rig.ddbLocal);
  for (const [i, action] of actions.entries()) {
    await ddb.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: `o${i + 1}` }, action: { S: action } } }),
    );
  }
  await until(
    `${actions.length} records replicated`,
    () => rig.standin.replicated() - before >= actions.length,
  );
  return { table, arn: s.arn };
}

const invoke = (args: string[]) => runCli(["invoke", HANDLER, ...args], { env: rig.env, timeoutMs: 120_000 });

describe("invoke --kinesis", () => {
  test("Kinesis events from the table's destination; a failed item by kinesis.sequenceNumber; KinesisBatchInfo on failure", async () => {
    const { table, arn } = await setup(["ok", "fail-seq", "ok"]);
    const out = join(dir, "failed.ndjson");
    const r = await invoke([
      table,
      "--kinesis",
      "--from",
      "trim-horizon",
      "--until-end",
      "--report-batch-item-failures",
      "--max-retry-attempts",
      "1",
      "--on-failure",
      out,
      "--json",
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`invoking .* with ${table} through Kinesis stream ${arn.replace(/[/.]/g, "\\$&")}`),
    );
    // The handler decoded each record's data: the change records of the table.
    assert.match(r.stderr, new RegExp(`│ INSERT o1 from ${table}`));
    assert.match(r.stderr, new RegExp(`│ INSERT o2 from ${table}`));
    const lines = jsonLines(r.stdout);
    const inv = lines.filter((l) => l.type === "invoke");
    assert.equal(inv[0]?.records, 3);
    assert.equal(inv[0]?.result, "partial");
    const failed = (inv[0]?.failedItems as string[] | undefined)?.[0] as string;
    assert.match(failed, /^\d{20,}$/, "a Kinesis sequence number");
    assert.equal(inv[0]?.retryFrom, failed);
    assert.equal(inv[1]?.firstSequenceNumber, failed);
    const summary = lines.find((l) => l.type === "summary");
    // o1 delivered; the retry of o2 and o3 fails again, and both go to on-failure (as in Lambda).
    assert.equal(summary?.delivered, 1);
    assert.equal(summary?.discarded, 2);
    const rec = jsonLines<OnFailureRecord>(readFileSync(out, "utf8"))[0] as OnFailureRecord;
    const info = rec.KinesisBatchInfo as BatchInfo;
    assert.deepEqual(Object.keys(rec), [
      "requestContext",
      "responseContext",
      "version",
      "timestamp",
      "KinesisBatchInfo",
    ]);
    assert.equal(info.streamArn, arn);
    assert.equal(info.shardId, "shardId-000000000000");
    assert.equal(info.startSequenceNumber, failed);
    assert.equal(info.batchSize, 2);
    assert.match(String(info.approximateArrivalOfFirstRecord), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(rec.responseContext, { statusCode: 200, executedVersion: "$LATEST" });
  });

  test("a Kinesis stream ARN with a filter on data; the eventID mistake is named with the fix", async () => {
    const { arn } = await setup(["ok", "fail-eventid", "ok"]);
    const r = await invoke([
      arn,
      "--from",
      "trim-horizon",
      "--until-end",
      "--filter",
      '{"data":{"dynamodb":{"NewImage":{"action":{"S":["fail-eventid"]}}}}}',
      "--report-batch-item-failures",
      "--max-retry-attempts",
      "0",
      "--json",
    ]);
    assert.equal(r.code, 1, r.stderr);
    const lines = jsonLines(r.stdout);
    const inv = lines.filter((l) => l.type === "invoke");
    assert.equal(inv.length, 1);
    assert.equal(inv[0]?.records, 1, "the filter kept the one record");
    assert.equal(lines.find((l) => l.type === "summary")?.filtered, 2);
    assert.match(r.stderr, /is the eventID of a record, not its SequenceNumber/);
    assert.match(r.stderr, /itemIdentifier: record\.kinesis\.sequenceNumber/);
  });

  test("tail's Kinesis NDJSON replays through --input as Kinesis events; a table without a destination is exit 3", async () => {
    const { table } = await setup(["ok", "ok"]);
    const t = await runCli(["tail", table, "--kinesis", "--from", "trim-horizon", "--until-end", "--json"], {
      env: rig.env,
    });
    assert.equal(t.code, 0, t.stderr);
    const file = join(dir, "captured.ndjson");
    writeFileSync(file, t.stdout);
    const r = await invoke(["--input", file, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`│ INSERT o1 from ${table}`));
    assert.match(r.stderr, new RegExp(`│ INSERT o2 from ${table}`));
    assert.equal(jsonLines(r.stdout).find((l) => l.type === "summary")?.delivered, 2);

    const plain = await createTable(rig.ddbLocal);
    const none = await invoke([plain, "--kinesis", "--until-end"]);
    assert.equal(none.code, 3, none.stderr);
    assert.match(none.stderr, new RegExp(`table ${plain} has no active Kinesis destination`));
    assert.match(none.stderr, new RegExp(`hint: dynastream enable ${plain} --kinesis <stream>`));
    assert.doesNotMatch(none.stderr, /\n\s+at /);
  });
});
