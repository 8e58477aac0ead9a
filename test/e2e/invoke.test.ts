// The built `dynastream invoke` end to end with real handler files (test/fixtures/handlers): captured
// records (--input) and live records from DynamoDB Local; stdout (--json), stderr, exit codes, the
// on-failure file.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { BatchInfo, OnFailureRecord } from "../../src/core/delivery/index.js";
import { jsonLines, runCli, startCli } from "../helpers/cli.js";
import { cliEnv, clients, createTable, ddbEndpoint } from "../helpers/ddb.js";
import { lambdaRecord } from "../helpers/records.js";

const H = resolve(import.meta.dirname, "../fixtures/handlers");
const dir = mkdtempSync(join(tmpdir(), "dynastream-invoke-e2e-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An NDJSON file of records: `actions[i]` is record i's NewImage.action (sequence number 100+i). */
function records(name: string, actions: string[]): string {
  const path = join(dir, name);
  const lines = actions.map((action, i) =>
    JSON.stringify(
      lambdaRecord(
        { eventID: `ev-${i}` },
        {
          SequenceNumber: String(100 + i),
          Keys: { pk: { S: `K${i}` } },
          NewImage: { pk: { S: `K${i}` }, action: { S: action } },
          OldImage: undefined,
        },
      ),
    ),
  );
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

function invoke(args: string[], env: Record<string, string> = {}) {
  return runCli(["invoke", ...args], {
    env: { PATH: process.env.PATH ?? "", AWS_REGION: "us-east-1", ...env },
    timeoutMs: 120_000,
  });
}

describe("invoke --input", () => {
  test("every record delivered: exit 0, one invocation line per batch, cold then warm, handler output prefixed", async () => {
    const file = records("ok.ndjson", ["ok", "ok", "ok"]);
    const r = await invoke([join(H, "actions.mjs"), "--input", file, "--batch-size", "2", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = jsonLines(r.stdout);
    const inv = lines.filter((l) => l.type === "invoke");
    assert.deepEqual(
      inv.map((l) => [l.records, l.firstSequenceNumber, l.lastSequenceNumber, l.cold, l.result, l.next]),
      [
        [2, "100", "101", true, "ok", "done"],
        [1, "102", "102", false, "ok", "done"],
      ],
    );
    const summary = lines.find((l) => l.type === "summary");
    assert.equal(summary?.delivered, 3);
    assert.equal(summary?.invocations, 2);
    assert.match(
      r.stderr,
      /#1 │ batch of 2, invocation 1 of this process, actions, has request id, time left/,
    );
    assert.match(r.stderr, /#2 │ batch of 1, invocation 2 of this process/);
  });

  test("a poison record with bisection and 1 retry: bisected down to it, retried, sent to on-failure (the exact record), exit 1", async () => {
    const file = records("poison.ndjson", ["ok", "throw", "ok"]);
    const out = join(dir, "failed.ndjson");
    const r = await invoke([
      join(H, "actions.mjs"),
      "--input",
      file,
      "--batch-size",
      "3",
      "--bisect-on-error",
      "--max-retry-attempts",
      "1",
      "--on-failure",
      out,
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /error TypeError: cannot process K1 → bisect in two/);
    assert.match(
      r.stderr,
      /on-failure shard input · 1 record 101 · RetryAttemptsExhausted after 4 invocations/,
    );
    const rec = jsonLines<OnFailureRecord>(readFileSync(out, "utf8"))[0] as OnFailureRecord;
    const info = rec.DDBStreamBatchInfo as BatchInfo;
    assert.deepEqual(Object.keys(rec), [
      "requestContext",
      "responseContext",
      "version",
      "timestamp",
      "DDBStreamBatchInfo",
    ]);
    assert.equal(rec.requestContext.condition, "RetryAttemptsExhausted");
    assert.equal(rec.requestContext.functionArn, "arn:aws:lambda:us-east-1:000000000000:function:actions");
    assert.deepEqual(rec.responseContext, {
      statusCode: 200,
      executedVersion: "$LATEST",
      functionError: "Unhandled",
    });
    assert.equal(info.startSequenceNumber, "101");
    assert.equal(info.batchSize, 1);
    assert.match(r.stderr, /2 records delivered, 0 filtered out, 1 sent to on-failure in 1 batch/);
  });

  test("--report-batch-item-failures: retried from the failed SequenceNumber", async () => {
    const file = records("partial.ndjson", ["ok", "fail-seq", "ok"]);
    const r = await invoke([
      join(H, "actions.mjs"),
      "--input",
      file,
      "--report-batch-item-failures",
      "--max-retry-attempts",
      "1",
      "--json",
    ]);
    const inv = jsonLines(r.stdout).filter((l) => l.type === "invoke");
    assert.deepEqual(inv[0]?.failedItems, ["101"]);
    assert.equal(inv[0]?.next, "checkpoint");
    assert.equal(inv[0]?.retryFrom, "101");
    assert.equal(inv[1]?.firstSequenceNumber, "101");
    assert.equal(r.code, 1, "the record keeps failing: on-failure after 1 retry");
    const failure = jsonLines(r.stdout).find((l) => l.type === "failure") as {
      record: { responseContext: unknown };
    };
    assert.deepEqual(failure.record.responseContext, { statusCode: 200, executedVersion: "$LATEST" });
  });

  test("failures reported by eventID: the whole batch fails, and the warning names the mistake", async () => {
    const file = records("eventid.ndjson", ["ok", "fail-eventid"]);
    const r = await invoke([
      join(H, "actions.mjs"),
      "--input",
      file,
      "--report-batch-item-failures",
      "--max-retry-attempts",
      "0",
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /warning: itemIdentifier "ev-1" is the eventID of a record, not its SequenceNumber/,
    );
    assert.match(r.stderr, /on-failure shard input · 2 records 100…101/);
  });

  test("batchItemFailures without --report-batch-item-failures: a success, with a warning", async () => {
    const file = records("ignored.ndjson", ["fail-seq"]);
    const r = await invoke([join(H, "actions.mjs"), "--input", file]);
    assert.equal(r.code, 0);
    assert.match(
      r.stderr,
      /warning: the handler returned batchItemFailures but ReportBatchItemFailures is off/,
    );
  });

  test("the DynamoDB Streams guide's handler, unchanged: its eventID failures are caught", async () => {
    const path = join(dir, "guide.ndjson");
    const rec = lambdaRecord(
      { eventID: "guide-1" },
      {
        SequenceNumber: "500",
        Keys: { pk: { S: "o1" } },
        NewImage: { pk: { S: "o1" }, status: { S: "cancelled" } },
        OldImage: { pk: { S: "o1" }, status: { S: "paid" } },
      },
    );
    writeFileSync(path, `${JSON.stringify(rec)}\n`);
    const r = await invoke([
      join(H, "user-guide.mjs"),
      "--input",
      path,
      "--report-batch-item-failures",
      "--max-retry-attempts",
      "0",
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Status changed: paid → cancelled/);
    assert.match(r.stderr, /itemIdentifier "guide-1" is the eventID of a record/);
  });

  test("a Powertools batch-processor handler, unchanged: its partial responses retry from the failed record", async () => {
    const file = records("powertools.ndjson", ["ok", "ok", "fail", "ok"]);
    const r = await invoke([
      join(H, "powertools.mjs"),
      "--input",
      file,
      "--batch-size",
      "4",
      "--report-batch-item-failures",
      "--max-retry-attempts",
      "1",
      "--json",
    ]);
    assert.equal(r.code, 1, r.stderr);
    const lines = jsonLines(r.stdout);
    assert.deepEqual(
      lines
        .filter((l) => l.type === "invoke")
        .map((l) => [l.firstSequenceNumber, l.lastSequenceNumber, l.result, l.failedItems, l.next]),
      [
        ["100", "103", "partial", ["102"], "checkpoint"],
        ["102", "103", "partial", ["102"], "on-failure"],
      ],
    );
    const failure = lines.find((l) => l.type === "failure") as {
      record: { DDBStreamBatchInfo: { startSequenceNumber: string; batchSize: number } };
    };
    assert.deepEqual(failure.record.DDBStreamBatchInfo.startSequenceNumber, "102");
    assert.equal(failure.record.DDBStreamBatchInfo.batchSize, 2);
    assert.doesNotMatch(r.stderr, /eventID/);
  });

  test("a timeout replaces the process (the next invocation is cold); an exit is Runtime.ExitError", async () => {
    const file = records("slow.ndjson", ["sleep", "exit", "ok"]);
    const r = await invoke([
      join(H, "actions.mjs"),
      "--input",
      file,
      "--batch-size",
      "1",
      "--function-timeout",
      "1",
      "--max-retry-attempts",
      "0",
      "--json",
    ]);
    assert.equal(r.code, 1);
    const inv = jsonLines(r.stdout).filter((l) => l.type === "invoke");
    assert.deepEqual(
      inv.map((l) => [l.result, l.cold]),
      [
        ["timeout", true],
        ["error", true],
        ["ok", true],
      ],
    );
    assert.deepEqual((inv[1]?.error as { type?: string } | undefined)?.type, "Runtime.ExitError");
  });

  test("default settings: a poison record blocks the shard (Lambda retries up to 24 h); named once; exit 1", async () => {
    const file = records("blocked.ndjson", ["throw", "ok"]);
    const r = await invoke([
      join(H, "actions.mjs"),
      "--input",
      file,
      "--batch-size",
      "1",
      "--max-local-retries",
      "3",
    ]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.match(/poison record/g)?.length, 1);
    assert.match(r.stderr, /poison record: pk=K0 \(sequence number 100, shard shardId-input\)/);
    assert.match(
      r.stderr,
      /shard shardId-input is blocked: Lambda would keep retrying it until the failing records expire \(up to 24 h/,
    );
    assert.match(r.stderr, /holding back 2 records/);
  });

  test("CommonJS callback handler, a named export, TypeScript, --env and --env-file", async () => {
    const file = records("forms.ndjson", ["env"]);
    const envFile = join(dir, ".env");
    writeFileSync(envFile, "# comment\nGREETING='from file'\n");
    const cb = await invoke([join(H, "callback.cjs"), "--input", file]);
    assert.equal(cb.code, 0, cb.stderr);
    assert.match(cb.stderr, /callback handler got 1 records/);
    const named = await invoke([`${join(H, "named.mjs")}:processOrders`, "--input", file]);
    assert.equal(named.code, 0, named.stderr);
    const ts = await invoke([join(H, "typed.ts"), "--input", file]);
    assert.equal(ts.code, 0, ts.stderr);
    assert.match(ts.stderr, /typed handler: MODIFY/);
    const env = await invoke([
      join(H, "actions.mjs"),
      "--input",
      file,
      "--env-file",
      envFile,
      "--env",
      "AWS_REGION=eu-west-3",
    ]);
    assert.match(env.stderr, /env from file eu-west-3 :UTC/);
  });

  test("--input - reads stdin; --show-records lists each batch's records", async () => {
    const text = readFileSync(records("stdin.ndjson", ["ok", "ok"]), "utf8");
    const r = await runCli(["invoke", join(H, "actions.mjs"), "--input", "-", "--show-records"], {
      env: { PATH: process.env.PATH ?? "", AWS_REGION: "us-east-1" },
      input: text,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /#1 shard input · 2 records 100…101 · attempt 1/);
    assert.match(r.stderr, /\n {2}MODIFY pk=K0 seq 100\n {2}MODIFY pk=K1 seq 101\n/);
  });

  test("--tumbling-window: state carried through a window, a final invocation per window", async () => {
    const path = join(dir, "window.ndjson");
    const at = (s: number, i: number) =>
      JSON.stringify(
        lambdaRecord(
          { eventID: `w${i}` },
          { SequenceNumber: String(300 + i), ApproximateCreationDateTime: s },
        ),
      );
    // 1704110400 is 2024-01-01T12:00:00Z: three records in the first minute, one in the next
    writeFileSync(
      path,
      `${[at(1704110400, 0), at(1704110410, 1), at(1704110459, 2), at(1704110461, 3)].join("\n")}\n`,
    );
    const r = await invoke([
      join(H, "window.mjs"),
      "--input",
      path,
      "--tumbling-window",
      "60",
      "--batch-size",
      "2",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const inv = jsonLines(r.stdout).filter((l) => l.type === "invoke");
    assert.deepEqual(
      inv.map((l) => [l.records, (l.window as { final: boolean }).final]),
      [
        [2, false],
        [1, false],
        [0, true],
        [1, false],
        [0, true],
      ],
    );
    assert.match(r.stderr, /window 2024-01-01T12:00:00Z total 3/);
    assert.match(r.stderr, /window 2024-01-01T12:01:00Z total 1/);
  });

  test("usage errors (exit 2): no handler file, a module that does not load, a missing export, deployed without --yes", async () => {
    const file = records("u.ndjson", ["ok"]);
    const missing = await invoke(["./nope.mjs", "--input", file]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /error: handler \.\/nope\.mjs: no such file/);
    const broken = await invoke([join(H, "broken.mjs"), "--input", file]);
    assert.equal(broken.code, 2, broken.stderr);
    assert.match(broken.stderr, /did not load: Runtime.ImportModuleError: Error: missing configuration/);
    const noExport = await invoke([join(H, "named.mjs"), "--input", file]);
    assert.equal(noExport.code, 2);
    assert.match(
      noExport.stderr,
      /does not export a function named handler \(its functions: processOrders\)/,
    );
    const deployed = await invoke(["--function", "orders", "--input", file]);
    assert.equal(deployed.code, 2);
    assert.match(deployed.stderr, /needs confirmation/);
    assert.match(deployed.stderr, /hint: pass --yes/);
    const bad = await invoke([join(H, "actions.mjs"), "--input", file, "--batch-size", "0"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--batch-size must be between 1 and 10000/);
  });
});

describe("invoke <table> (DynamoDB Local)", () => {
  let endpoint = "";
  let ddb: ReturnType<typeof clients>["ddb"];
  let table = "";
  before(async () => {
    endpoint = await ddbEndpoint();
    ddb = clients(endpoint).ddb;
    table = await createTable(endpoint);
    for (const [pk, action] of [
      ["a", "ok"],
      ["b", "fail-seq"],
      ["c", "ok"],
    ]) {
      await ddb.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: pk as string }, action: { S: action as string } },
        }),
      );
    }
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: "b" } },
        UpdateExpression: "SET #a = :a",
        ExpressionAttributeNames: { "#a": "action" },
        ExpressionAttributeValues: { ":a": { S: "ok" } },
      }),
    );
  });
  after(() => ddb?.destroy());

  test("live records from TRIM_HORIZON until caught up, with the checkpoint saved past settled batches", async () => {
    const ckpt = join(dir, "live.ckpt");
    const r = await runCli(
      [
        "invoke",
        join(H, "actions.mjs"),
        table,
        "--from",
        "trim-horizon",
        "--until-end",
        "--report-batch-item-failures",
        "--max-retry-attempts",
        "0",
        "--checkpoint",
        ckpt,
        "--json",
        "--on-failure",
        join(dir, "live-failed.ndjson"),
      ],
      { env: cliEnv(endpoint), timeoutMs: 120_000 },
    );
    const lines = jsonLines(r.stdout);
    const inv = lines.filter((l) => l.type === "invoke");
    assert.equal(inv[0]?.records, 4, r.stderr);
    assert.equal(inv[0]?.result, "partial");
    assert.equal(r.code, 1, "the fail-seq record goes to on-failure after 0 retries");
    const failure = lines.find((l) => l.type === "failure") as {
      record: { DDBStreamBatchInfo: { streamArn: string; batchSize: number } };
    };
    assert.match(failure.record.DDBStreamBatchInfo.streamArn, new RegExp(`table/${table}/stream/`));
    assert.equal(
      failure.record.DDBStreamBatchInfo.batchSize,
      3,
      "from the failed record to the end of the batch",
    );
    const saved = JSON.parse(readFileSync(ckpt, "utf8")) as {
      shards: Record<string, { sequenceNumber?: string }>;
    };
    assert.ok(Object.values(saved.shards).some((s) => s.sequenceNumber === inv[0]?.lastSequenceNumber));
    // A rerun resumes after the settled batches: nothing left to deliver.
    const again = await runCli(
      ["invoke", join(H, "actions.mjs"), table, "--until-end", "--checkpoint", ckpt, "--json"],
      {
        env: cliEnv(endpoint),
        timeoutMs: 120_000,
      },
    );
    assert.equal(again.code, 0, again.stderr);
    assert.equal(jsonLines(again.stdout).filter((l) => l.type === "invoke").length, 0);
  });

  test("Ctrl-C: the invocation in flight finishes, then exit 130 with the summary", async () => {
    const own = await createTable(endpoint);
    const p = startCli(["invoke", join(H, "actions.mjs"), own, "--function-timeout", "30"], {
      env: cliEnv(endpoint),
    });
    await p.waitForStderr(/Ctrl-C to stop/, 60_000);
    await ddb.send(
      new PutItemCommand({ TableName: own, Item: { pk: { S: "slow" }, action: { S: "pause" } } }),
    );
    await p.waitForStderr("working on slow", 60_000);
    p.child.kill("SIGINT");
    const r = await p.done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /#1 shard \S+ · 1 record .* · ok/);
    assert.match(r.stderr, /1 invocation \(1 cold start\): 1 record delivered/);
    assert.match(r.stderr, / \(1 shard\) from LATEST — Ctrl-C to stop/);
    // No --checkpoint: the stop line does not speak of one.
    assert.match(r.stderr, /^invoke stopped: batches in flight finished$/m);
  });
});
