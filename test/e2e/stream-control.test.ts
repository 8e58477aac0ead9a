// End-to-end: the built binary against DynamoDB Local — enable, disable, describe, shards, and the
// documented errors and exit codes.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { cliEnv, createTable, ddbEndpoint, uniqueName } from "../helpers/ddb.js";

let endpoint = "";
let env: Record<string, string> = {};
before(async () => {
  endpoint = await ddbEndpoint();
  env = cliEnv(endpoint);
});

function json(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  assert.equal(lines.length, 1, `one JSON document expected, got: ${stdout}`);
  return JSON.parse(lines[0] as string) as Record<string, unknown>;
}

describe("enable", () => {
  test("enables NEW_AND_OLD_IMAGES by default, then is idempotent", async () => {
    const table = await createTable(endpoint, { viewType: null });
    const r1 = await runCli(["enable", table, "--json"], { env });
    assert.equal(r1.code, 0, r1.stderr);
    const j1 = json(r1.stdout);
    assert.equal(j1.table, table);
    assert.equal(j1.viewType, "NEW_AND_OLD_IMAGES");
    assert.equal(j1.changed, true);
    assert.equal(j1.status, "ENABLED");
    assert.match(String(j1.streamArn), new RegExp(`:table/${table}/stream/`));
    assert.equal(j1.streamLabel, String(j1.streamArn).split("/stream/")[1]);

    const r2 = await runCli(["enable", table, "--view-type", "new-and-old", "--json"], { env });
    assert.equal(r2.code, 0, r2.stderr);
    const j2 = json(r2.stdout);
    assert.equal(j2.changed, false);
    assert.equal(j2.streamArn, j1.streamArn);
    assert.match(r2.stderr, /already has a NEW_AND_OLD_IMAGES stream/);
  });

  test("a different view type is refused without --replace (exit 2), replaced with --replace --yes", async () => {
    const table = await createTable(endpoint, { viewType: "KEYS_ONLY" });
    const refused = await runCli(["enable", table, "--view-type", "NEW_IMAGE"], { env });
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /^error: .*already has a KEYS_ONLY stream; a stream's view type cannot change in place/m,
    );
    assert.match(refused.stderr, /^hint: .*--replace/m);
    assert.equal(refused.stdout, "");

    const noYes = await runCli(["enable", table, "--view-type", "new", "--replace"], { env });
    assert.equal(noYes.code, 2, "not a terminal: --replace needs --yes");
    assert.match(noYes.stderr, /--yes/);

    const replaced = await runCli(["enable", table, "--view-type", "new", "--replace", "--yes", "--json"], {
      env,
    });
    assert.equal(replaced.code, 0, replaced.stderr);
    const j = json(replaced.stdout);
    assert.equal(j.viewType, "NEW_IMAGE");
    assert.equal(j.changed, true);
    assert.ok(typeof j.replacedStreamArn === "string" && j.replacedStreamArn !== j.streamArn);

    const d = await runCli(["describe", table, "--json"], { env });
    const dj = json(d.stdout) as { streams: Array<{ streamArn: string; latest: boolean }>; viewType: string };
    assert.equal(dj.viewType, "NEW_IMAGE");
    assert.equal(dj.streams.length, 2, "the old stream is still listed");
    assert.deepEqual(
      dj.streams.filter((s) => s.latest).map((s) => s.streamArn),
      [j.streamArn],
    );
  });

  test("bad view type: exit 2 listing the valid ones", async () => {
    const r = await runCli(["enable", "SomeTable", "--view-type", "everything"], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error: invalid view type "everything"/);
    assert.match(r.stderr, /KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES/);
  });

  test("pretty output names the ARN and label", async () => {
    const table = await createTable(endpoint, { viewType: null });
    const r = await runCli(["enable", table, "--view-type", "OLD_IMAGE", "--wait"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^enabled: .* stream OLD_IMAGE \(ENABLED\)$/m);
    assert.match(r.stdout, /^stream ARN: +arn:aws:dynamodb:/m);
    assert.doesNotMatch(r.stdout, /\u001b\[/, "no colour when not a TTY");
  });
});

describe("disable", () => {
  test("refuses without --yes when not on a terminal (exit 2), disables with --yes, then is idempotent", async () => {
    const table = await createTable(endpoint);
    const refused = await runCli(["disable", table], { env });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /irreversible/);
    assert.match(refused.stderr, /--yes/);

    const r = await runCli(["disable", table, "--yes", "--wait", "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    const j = json(r.stdout);
    assert.equal(j.changed, true);
    assert.equal(j.status, "DISABLED");
    assert.match(r.stderr, /irreversible for arn:aws:dynamodb:/);
    assert.match(r.stderr, /readable for 24 h/);

    const again = await runCli(["disable", table, "--yes", "--json"], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(json(again.stdout).changed, false);
    assert.match(again.stderr, /no enabled stream/);

    const d = await runCli(["describe", table, "--json"], { env });
    assert.equal(d.code, 0, d.stderr);
    const dj = json(d.stdout) as { status: string; shards: { open: number; closed: number } };
    assert.equal(dj.status, "DISABLED");
    assert.deepEqual(dj.shards, { open: 0, closed: 1, total: 1 });
  });

  test("a table that never had a stream: nothing to do, exit 0", async () => {
    const table = await createTable(endpoint, { viewType: null });
    const r = await runCli(["disable", table, "--yes"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /unchanged/);
  });
});

describe("describe and shards", () => {
  test("describe --json has the documented shape; a stream ARN works as well as a table", async () => {
    const table = await createTable(endpoint, { viewType: "NEW_IMAGE", rangeKey: true });
    const r = await runCli(["describe", table, "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    const j = json(r.stdout);
    assert.deepEqual(Object.keys(j).sort(), [
      "consumers",
      "createdAt",
      "keySchema",
      "kinesisDestinations",
      "shards",
      "status",
      "streamArn",
      "streamLabel",
      "streams",
      "tableName",
      "viewType",
    ]);
    assert.equal(j.tableName, table);
    assert.equal(j.viewType, "NEW_IMAGE");
    assert.equal(j.status, "ENABLED");
    assert.deepEqual(j.keySchema, [
      { name: "pk", type: "HASH" },
      { name: "sk", type: "RANGE" },
    ]);
    assert.deepEqual(j.shards, { open: 1, closed: 0, total: 1 });
    assert.equal(j.kinesisDestinations, null, "DynamoDB Local has no Kinesis destination API");
    assert.ok(!Number.isNaN(Date.parse(String(j.createdAt))));

    const byArn = await runCli(["describe", String(j.streamArn), "--json"], { env });
    assert.equal(byArn.code, 0, byArn.stderr);
    assert.equal(json(byArn.stdout).tableName, table);

    const pretty = await runCli(["describe", table], { env });
    assert.equal(pretty.code, 0);
    assert.match(pretty.stdout, /^table: +/m);
    assert.match(pretty.stdout, /^shards: +1 open, 0 closed$/m);
    assert.match(pretty.stdout, /\(latest\)/);
  });

  test("shards lists the shard as JSON, a table, and a tree", async () => {
    const table = await createTable(endpoint);
    const j = await runCli(["shards", table, "--json"], { env });
    assert.equal(j.code, 0, j.stderr);
    const parsed = json(j.stdout) as { streamArn: string; shards: Array<Record<string, unknown>> };
    assert.equal(parsed.shards.length, 1);
    const sh = parsed.shards[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(sh).sort(), [
      "endingSequenceNumber",
      "parentShardId",
      "shardId",
      "startingSequenceNumber",
      "status",
    ]);
    assert.equal(sh.status, "open");
    assert.equal(sh.endingSequenceNumber, null);
    assert.match(String(sh.shardId), /^shardId-/);

    const t = await runCli(["shards", table], { env });
    assert.equal(t.code, 0);
    assert.match(t.stdout, /^SHARD +PARENT +STATUS +STARTING SEQUENCE +ENDING SEQUENCE$/m);
    assert.doesNotMatch(t.stdout, / +$/m, "no trailing spaces: output greps");

    const tree = await runCli(["shards", table, "--tree"], { env });
    assert.equal(tree.code, 0);
    assert.equal(tree.stdout.trim(), `${String(sh.shardId)}  open`);
  });
});

describe("errors", () => {
  test("unknown table: exit 3", async () => {
    const r = await runCli(["describe", uniqueName("missing")], { env });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^error: table .* not found$/m);
    assert.match(r.stderr, /^hint: /m);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });

  test("table without a stream: exit 3 with a hint to enable one", async () => {
    const table = await createTable(endpoint, { viewType: null });
    const r = await runCli(["shards", table], { env });
    assert.equal(r.code, 3);
    assert.match(r.stderr, new RegExp(`error: table ${table} has no stream`));
    assert.match(r.stderr, new RegExp(`hint: enable one: dynastream enable ${table}`));
  });

  test("malformed stream ARN and invalid table name: exit 2", async () => {
    const a = await runCli(["describe", "arn:aws:dynamodb:nope"], { env });
    assert.equal(a.code, 2);
    assert.match(a.stderr, /malformed stream ARN/);
    const t = await runCli(["describe", "a b"], { env });
    assert.equal(t.code, 2);
    assert.match(t.stderr, /invalid table name/);
  });

  test("unknown flag, unknown command, missing argument, extra argument: exit 2", async () => {
    for (const args of [
      ["shards", "T1x", "--bogus"],
      ["bogus"],
      ["describe"],
      ["describe", "a1x", "b1x"],
      ["--output", "xml", "describe", "Orders"],
    ]) {
      const r = await runCli(args, { env });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /^error: /m);
      assert.match(r.stderr, /^hint: /m);
    }
  });

  test("a misspelt command or flag: one line with commander's suggestion, then the hint", async () => {
    for (const [args, error] of [
      [["filter-tst"], "error: unknown command 'filter-tst' (did you mean filter-test?)"],
      [["tail", "--outptu", "json"], "error: unknown option '--outptu' (did you mean --output?)"],
    ] as const) {
      const r = await runCli([...args], { env });
      assert.equal(r.code, 2, r.stderr);
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(lines[0], error);
      assert.match(lines[1] ?? "", /^hint: run `dynastream (tail )?--help` for usage$/);
      assert.equal(lines.length, 2, r.stderr);
    }
  });

  test("no credentials: exit 4", async () => {
    const { AWS_ACCESS_KEY_ID: _a, AWS_SECRET_ACCESS_KEY: _s, ...rest } = env;
    const r = await runCli(["describe", "Orders"], { env: rest });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /error: no AWS credentials found/);
    assert.match(r.stderr, /hint: .*aws configure/);
  });

  test("unreachable endpoint: exit 5 in bounded time; --endpoint-url overrides AWS_ENDPOINT_URL", async () => {
    const r = await runCli(["describe", "Orders", "--endpoint-url", "http://127.0.0.1:9"], {
      env,
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /error: could not reach AWS at http:\/\/127\.0\.0\.1:9/);
  });

  test("a hanging endpoint: exit 5 bounded by --timeout", async () => {
    const { createServer } = await import("node:http");
    const sockets = new Set<import("node:net").Socket>();
    const server = createServer(() => undefined); // never answers
    server.on("connection", (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await runCli(
        ["describe", "Orders", "--timeout", "500ms", "--endpoint-url", `http://127.0.0.1:${port}`],
        {
          env,
          timeoutMs: 60_000,
        },
      );
      assert.equal(r.code, 5, r.stderr);
      assert.match(
        r.stderr,
        /error: no answer from AWS at http:\/\/127\.0\.0\.1:\d+ for table Orders within 500 ms/,
      );
      const bad = await runCli(["describe", "Orders", "--timeout", "soon"], { env });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /invalid --timeout "soon"/);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  test("--debug shows the calls with credentials redacted, and stack traces", async () => {
    const r = await runCli(["describe", uniqueName("missing"), "--debug"], { env });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /DynamoDB\.DescribeTableCommand → POST/);
    assert.match(r.stderr, /"authorization":"<redacted>"/);
    assert.doesNotMatch(r.stderr, /dynastreamtest/, "no access key id in debug output");
    assert.match(r.stderr, /\n\s+at /, "stack trace with --debug");
  });
});

describe("help and version", () => {
  test("--help shows examples first and exits 0; --version prints the version", async () => {
    const h = await runCli(["--help"], { env });
    assert.equal(h.code, 0);
    assert.match(h.stdout, /^Examples:/);
    for (const c of ["enable", "disable", "describe", "shards"])
      assert.match(h.stdout, new RegExp(`^  ${c}\\b`, "m"));
    const sub = await runCli(["shards", "--help"], { env });
    assert.equal(sub.code, 0);
    assert.match(sub.stdout, /^Examples:\n {2}dynastream shards/);
    const v = await runCli(["--version"], { env });
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  test("the SDK deprecation warning never reaches the terminal", async () => {
    const table = await createTable(endpoint);
    const r = await runCli(["describe", table], { env });
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stderr, /NodeVersionSupportWarning|Warning:/);
  });
});
