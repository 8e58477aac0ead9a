// End-to-end: the built binary enabling, updating, describing and disabling a table's Kinesis Data
// Streams destination — DynamoDB Local behind the destination stand-in, kinesalite for the stream
// (reached through AWS_ENDPOINT_URL_KINESIS, which the product's Kinesis client must honour).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { createTable } from "../helpers/ddb.js";
import type { KinesisEmulator } from "../helpers/kinesis.js";
import { type DestinationStandin, startKinesisRig } from "../helpers/standins/kinesis-destination-server.js";

let k: KinesisEmulator;
let standin: DestinationStandin;
let env: Record<string, string> = {};
let ddbLocal = "";
before(async () => {
  ({ k, standin, env, ddbLocal } = await startKinesisRig({ transitionMs: 300 }));
});
after(() => standin.stop());

function json(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  assert.equal(lines.length, 1, `one JSON document expected, got: ${stdout}`);
  return JSON.parse(lines[0] as string) as Record<string, unknown>;
}

describe("enable --kinesis", () => {
  test("enables with --wait, is idempotent, changes the precision of an active destination", async () => {
    const table = await createTable(ddbLocal);
    const s = await k.createStream();
    const r1 = await runCli(
      ["enable", table, "--kinesis", s.name, "--precision", "microsecond", "--wait", "--json"],
      {
        env,
      },
    );
    assert.equal(r1.code, 0, r1.stderr);
    assert.deepEqual(json(r1.stdout), {
      table,
      kinesisStreamArn: s.arn,
      status: "ACTIVE",
      statusDescription: null,
      precision: "MICROSECOND",
      changed: true,
    });

    const again = await runCli(
      ["enable", table, "--kinesis", s.arn, "--precision", "MICROSECOND", "--json"],
      { env },
    );
    assert.equal(again.code, 0, again.stderr);
    assert.equal(json(again.stdout).changed, false);
    assert.match(again.stderr, /already streams to .*ACTIVE, microsecond precision.*nothing to change/);

    const noPrecision = await runCli(["enable", table, "--kinesis", s.name, "--json"], { env });
    assert.equal(json(noPrecision.stdout).changed, false, "no --precision accepts the one in place");

    const update = await runCli(
      ["enable", table, "--kinesis", s.name, "--precision", "millisecond", "--json"],
      {
        env,
      },
    );
    assert.equal(update.code, 0, update.stderr);
    const u = json(update.stdout);
    assert.equal(u.changed, true);
    assert.equal(u.status, "UPDATING");
    assert.equal(u.precision, "MILLISECOND");

    const pretty = await runCli(["describe", table], { env });
    assert.equal(pretty.code, 0, pretty.stderr);
    assert.match(pretty.stdout, /kinesis destinations:/);
    assert.ok(pretty.stdout.includes(s.arn));
    assert.match(pretty.stdout, /millisecond/);

    const d = await runCli(["describe", table, "--json"], { env });
    assert.equal(d.code, 0, d.stderr);
    const dests = json(d.stdout).kinesisDestinations as Array<Record<string, unknown>>;
    assert.equal(dests.length, 1);
    assert.deepEqual(Object.keys(dests[0] ?? {}).sort(), [
      "precision",
      "status",
      "statusDescription",
      "streamArn",
    ]);
    assert.equal(dests[0]?.streamArn, s.arn);
    assert.match(String(dests[0]?.status), /^(UPDATING|ACTIVE)$/);
    assert.equal(dests[0]?.precision, "MILLISECOND");
  });

  test("pretty output on enable; describe of a table without destination shows none", async () => {
    const table = await createTable(ddbLocal);
    const none = await runCli(["describe", table, "--json"], { env });
    assert.deepEqual(json(none.stdout).kinesisDestinations, []);
    const s = await k.createStream();
    const r = await runCli(["enable", table, "--kinesis", s.name], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `^enabled: ${table} → Kinesis ${s.arn.replace(/[/.]/g, "\\$&")} \\(ENABLING, millisecond precision\\)$`,
        "m",
      ),
    );
  });

  test("describe of a table with a Kinesis destination and no DynamoDB stream: the stream is off, the destinations shown (exit 0)", async () => {
    const table = await createTable(ddbLocal, { viewType: null });
    const before = await runCli(["describe", table], { env });
    assert.equal(before.code, 3, "no stream, no destination: not found");
    assert.match(before.stderr, new RegExp(`^hint: enable one: dynastream enable ${table}$`, "m"));
    const s = await k.createStream();
    const en = await runCli(["enable", table, "--kinesis", s.name, "--wait"], { env });
    assert.equal(en.code, 0, en.stderr);

    const d = await runCli(["describe", table, "--json"], { env });
    assert.equal(d.code, 0, d.stderr);
    const j = json(d.stdout);
    assert.equal(j.tableName, table);
    assert.equal(j.streamArn, null);
    assert.equal(j.status, null);
    assert.deepEqual(j.keySchema, [{ name: "pk", type: "HASH" }]);
    assert.deepEqual(j.streams, []);
    const dests = j.kinesisDestinations as Array<Record<string, unknown>>;
    assert.equal(dests.length, 1);
    assert.equal(dests[0]?.streamArn, s.arn);
    assert.equal(dests[0]?.status, "ACTIVE");

    const pretty = await runCli(["describe", table], { env });
    assert.equal(pretty.code, 0, pretty.stderr);
    assert.match(
      pretty.stdout,
      new RegExp(`stream:\\s+off \\(no DynamoDB stream; enable one: dynastream enable ${table}\\)`),
    );
    assert.match(pretty.stdout, /kinesis destinations:/);
    assert.ok(pretty.stdout.includes(s.arn));
    assert.doesNotMatch(pretty.stdout, /streams of /);

    const missing = await runCli(["describe", `${table}-missing`], { env });
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /not found/);
  });

  test("ENABLE_FAILED while waiting: exit 5 with AWS's description", async () => {
    const table = await createTable(ddbLocal);
    const s = await k.createStream();
    standin.failNextEnable("User does not have a permission to use the KMS key");
    const r = await runCli(["enable", table, "--kinesis", s.name, "--wait"], { env });
    assert.equal(r.code, 5, r.stderr);
    assert.match(
      r.stderr,
      /^error: enabling the Kinesis destination .* failed \(ENABLE_FAILED\): User does not have a permission to use the KMS key$/m,
    );
    assert.match(r.stderr, /^hint: /m);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });

  test("bad input: unknown stream exit 3, malformed ARN and flag conflicts exit 2, unknown table exit 3", async () => {
    const table = await createTable(ddbLocal);
    const unknown = await runCli(["enable", table, "--kinesis", "no-such-stream"], { env });
    assert.equal(unknown.code, 3, unknown.stderr);
    assert.match(unknown.stderr, /^error: Kinesis stream no-such-stream not found$/m);

    const bad = await runCli(["enable", table, "--kinesis", "arn:aws:kinesis:us-east-1:1:stream/x"], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /malformed Kinesis stream ARN/);

    const conflict = await runCli(["enable", table, "--kinesis", "s", "--view-type", "new"], { env });
    assert.equal(conflict.code, 2);
    assert.match(
      conflict.stderr,
      /--view-type applies to the table's DynamoDB stream, not to a Kinesis destination/,
    );

    const orphan = await runCli(["enable", table, "--precision", "microsecond"], { env });
    assert.equal(orphan.code, 2);
    assert.match(orphan.stderr, /--precision applies to a Kinesis destination/);

    const badPrecision = await runCli(["enable", table, "--kinesis", "s", "--precision", "nanosecond"], {
      env,
    });
    assert.equal(badPrecision.code, 2);
    assert.match(badPrecision.stderr, /invalid --precision "nanosecond"/);

    const s = await k.createStream();
    const noTable = await runCli(["enable", "no-such-table-k", "--kinesis", s.name], { env });
    assert.equal(noTable.code, 3, noTable.stderr);
    assert.match(noTable.stderr, /table no-such-table-k not found/);
    for (const r of [unknown, bad, conflict, orphan, badPrecision, noTable]) assert.equal(r.stdout, "");
  });
});

describe("disable --kinesis", () => {
  test("refuses without --yes off a terminal (no write), disables with --yes --wait, then is unchanged", async () => {
    const table = await createTable(ddbLocal);
    const s = await k.createStream();
    const en = await runCli(["enable", table, "--kinesis", s.name, "--wait", "--json"], { env });
    assert.equal(en.code, 0, en.stderr);

    const refused = await runCli(["disable", table, "--kinesis", s.name], { env });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--yes/);
    assert.equal(
      standin.destinations().find((d) => d.table === table)?.status,
      "ACTIVE",
      "nothing was written",
    );

    const r = await runCli(["disable", table, "--kinesis", s.arn, "--yes", "--wait", "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    const j = json(r.stdout);
    assert.equal(j.changed, true);
    assert.equal(j.status, "DISABLED");
    assert.match(r.stderr, /never sent there/);

    const again = await runCli(["disable", table, "--kinesis", s.name, "--yes", "--json"], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(json(again.stdout).changed, false);
    assert.match(again.stderr, /does not stream to/);
  });
});
