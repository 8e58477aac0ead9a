// Security properties, end to end with the built binary:
// - item data is untrusted: terminal escape sequences and control characters in S values, map keys,
//   set members, lists, binary, shard ids and stream labels never reach the terminal raw (tail,
//   describe, shards, filter-test explanations, error and debug messages), and JSON output stays
//   valid, lossless JSON for any content (lone surrogates, U+2028, NUL);
// - credentials and session tokens never appear in stdout or stderr, --debug included;
// - checkpoint files are mode 0600 whatever the umask;
// - disable and enable --replace never run without a terminal confirmation or --yes (a "y" piped to
//   stdin is not one), and the table is left unchanged;
// - only enable and disable write to AWS, and their --help says so: the others send only read
//   operations (recorded by a proxy in front of DynamoDB Local and by the stand-ins).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DescribeTableCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { BIN, type CliResult, runCli } from "../helpers/cli.js";
import { cliEnv, clients, createTable, ddbEndpoint } from "../helpers/ddb.js";
import { type AwsStandin, startAwsStandin } from "../helpers/standins/cloudwatch-server.js";
import {
  type RecordInput,
  type StreamsStandin,
  startStreamsStandin,
  type WireItem,
} from "../helpers/standins/streams-server.js";
import {
  assertNoStackTrace,
  assertStdoutEmptyOrJson,
  closedPort,
  type ProxiedRequest,
  parseNdjson,
  startRecordingProxy,
  startSilentServer,
  tempDir,
} from "./support.js";

/** Raw control characters a terminal would act on (everything but the newline). */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

function assertNoRawControls(text: string, what: string): void {
  const m = RAW_CONTROL.exec(text);
  assert.ok(
    m === null,
    `${what}: raw control character U+${m?.[0].charCodeAt(0).toString(16).padStart(4, "0")} at ${m?.index}: ${JSON.stringify(text.slice(Math.max(0, (m?.index ?? 0) - 40), (m?.index ?? 0) + 40))}`,
  );
}

// ---- hostile item data ---------------------------------------------------------------------------

const HOSTILE = {
  clear: "clear\u001b[2J\u001b[Hscreen",
  title: "\u001b]0;owned\u0007title",
  c1csi: "c1\u009b31mred",
  bell: "ding\u0007",
  fake: "fake\r\nerror: forged line",
  del: "del\u007f",
  nul: "nul\u0000byte",
  lineSep: "ls\u2028ps\u2029end",
  lone: "lone\ud800surrogate",
  loneLow: "\udc00",
  tab: "a\tb",
};
const KEY_ESC = "\u001b]0;key\u0007";
const BIN_ESC = Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0x07, 0x9b]).toString("base64");

function hostileImage(pk: string, n: number): WireItem {
  const img: WireItem = { pk: { S: pk }, n: { N: String(n) } };
  for (const [k, v] of Object.entries(HOSTILE)) img[k] = { S: v };
  img.map = { M: { [KEY_ESC]: { S: HOSTILE.clear }, nested: { M: { [HOSTILE.c1csi]: { S: "x" } } } } };
  img.set = { SS: [HOSTILE.title, HOSTILE.bell, HOSTILE.lone] };
  img.list = { L: [{ S: HOSTILE.fake }, { S: HOSTILE.lineSep }] };
  img.bin = { B: BIN_ESC };
  img.bins = { BS: [BIN_ESC] };
  return img;
}

function hostileRecords(): RecordInput[] {
  const pk = `k\u001b[31m${HOSTILE.lone}`;
  return [
    { eventName: "INSERT", dynamodb: { Keys: { pk: { S: pk } }, NewImage: hostileImage(pk, 1) } },
    {
      eventName: "MODIFY",
      dynamodb: { Keys: { pk: { S: pk } }, OldImage: hostileImage(pk, 1), NewImage: hostileImage(pk, 2) },
    },
    { eventName: "REMOVE", dynamodb: { Keys: { pk: { S: pk } }, OldImage: hostileImage(pk, 2) } },
  ];
}

const dir = tempDir("reliability-security");
let streams: StreamsStandin;
let streamsEnv: Record<string, string>;
let aws: AwsStandin;
let recordsFile = "";

before(async () => {
  streams = await startStreamsStandin();
  aws = await startAwsStandin();
  const st = streams.addStream({ tableName: "Orders", label: "2026-01-01T00:00:00.000\u001b]0;label\u0007" });
  const shard = st.addShard({ shardId: "shardId-00000001700000000000-\u001b[2Jevil" });
  const child = st.addShard({ parentShardId: shard, shardId: "shardId-00000001700000001000-\u009b1m" });
  st.putRecords(shard, hostileRecords());
  st.closeShard(shard);
  st.putRecords(child, hostileRecords());
  streamsEnv = cliEnv(streams.endpoint, { AWS_ENDPOINT_URL_LAMBDA: aws.endpoint });
  // The same records as a file, in tail's own NDJSON (a round trip through --input).
  const r = await runCli(["tail", "Orders", "--json", "--from", "trim-horizon", "--until-end"], {
    env: streamsEnv,
  });
  assert.equal(r.code, 0, r.stderr);
  recordsFile = join(dir, "hostile.ndjson");
  writeFileSync(recordsFile, r.stdout);
});

after(async () => {
  await streams?.stop();
  await aws?.stop();
});

describe("control characters in item data, shard ids and labels never reach the terminal", {
  concurrency: 3,
}, () => {
  const pretty: Array<[string, string[]]> = [
    [
      "tail -o pretty",
      ["tail", "Orders", "-o", "pretty", "--from", "trim-horizon", "--until-end", "--no-color"],
    ],
    [
      "tail -o pretty --full",
      ["tail", "Orders", "-o", "pretty", "--full", "--from", "trim-horizon", "--until-end", "--no-color"],
    ],
    ["tail --input -o pretty", ["tail", "--input", "@records", "-o", "pretty", "--no-color"]],
    ["describe", ["describe", "Orders", "--no-color"]],
    ["shards", ["shards", "Orders", "--no-color"]],
    ["shards --tree", ["shards", "Orders", "--tree", "--no-color"]],
    [
      "filter-test --explain",
      [
        "filter-test",
        "--pattern",
        JSON.stringify({
          dynamodb: { NewImage: { clear: { S: ["no\u001b[2Jmatch"] }, [KEY_ESC]: { S: ["\u0007"] } } },
        }),
        "--records",
        "@records",
        "--explain",
        "--no-color",
      ],
    ],
    [
      "filter-test (matches)",
      [
        "filter-test",
        "--pattern",
        JSON.stringify({ dynamodb: { Keys: { pk: { S: [{ prefix: "k" }] } } } }),
        "--records",
        "@records",
        "--no-color",
      ],
    ],
  ];
  for (const [name, args] of pretty) {
    test(name, async () => {
      const r = await runCli(
        args.map((a) => (a === "@records" ? recordsFile : a)),
        { env: streamsEnv },
      );
      assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
      assert.ok(r.stdout.length > 0, "some output");
      assertNoRawControls(r.stdout, `${name} stdout`);
      assertNoRawControls(r.stderr, `${name} stderr`);
      // The hostile text is shown, escaped: an escape sequence is visible as text.
      assert.match(r.stdout, /\\x1b|\\u001b/);
    });
  }

  test("error messages and --debug logs with hostile text from AWS and from the command line", async () => {
    const s = await startStreamsStandin();
    try {
      const msg = "bad\u001b[2J\u001b]0;pwn\u0007 request\u009b";
      s.faults.inject({
        op: "DescribeTable",
        kind: "validation",
        message: msg,
        times: Number.POSITIVE_INFINITY,
      });
      const env = cliEnv(s.endpoint);
      const cases: string[][] = [
        ["tail", "Orders"],
        ["tail", "Orders", "--debug"],
        ["describe", "Orders", "--debug"],
        ["describe", "bad\u001b[2Jname"],
        ["tail", "Orders", "--from", "\u001b[2J"],
        ["tail", "Orders", "--\u001b[2J"],
        ["tail", "--input", join(dir, "no\u001b[2Jfile")],
        ["shards", "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/\u001b]0;x\u0007", "--debug"],
        ["filter-test", "--pattern", '{"a\u001b[2J":[1', "--records", recordsFile],
      ];
      for (const args of cases) {
        const r = await runCli(args, { env });
        assert.notEqual(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
        assertNoRawControls(r.stdout, `${JSON.stringify(args)} stdout`);
        assertNoRawControls(r.stderr, `${JSON.stringify(args)} stderr`);
        assert.match(r.stderr, /^error: /m);
      }
    } finally {
      await s.stop();
    }
  });
});

// ---- JSON output for any content -------------------------------------------------------------------

interface JsonRecordLine {
  type: string;
  keys: Record<string, unknown>;
  newImage: Record<string, unknown> | null;
  oldImage: Record<string, unknown> | null;
  changes: unknown[] | null;
  record: { dynamodb: { NewImage?: Record<string, { S?: string }> } };
}

test("JSON output (json, dynamodb-json, raw, --input, filter-test --json) is valid and lossless for any content", async () => {
  const checkImage = (img: Record<string, unknown> | null | undefined, typed: boolean): void => {
    assert.ok(img, "an image");
    for (const [k, v] of Object.entries(HOSTILE)) {
      const got: unknown = typed ? (img[k] as { S: string }).S : img[k];
      assert.equal(got, v, `attribute ${k} round-trips exactly`);
    }
    const map = (typed ? (img.map as { M: Record<string, unknown> }).M : img.map) as Record<string, unknown>;
    assert.ok(KEY_ESC in map, "map key with ESC/BEL kept");
  };
  for (const format of ["json", "dynamodb-json"]) {
    const r = await runCli(["tail", "Orders", "-o", format, "--from", "trim-horizon", "--until-end"], {
      env: streamsEnv,
    });
    assert.equal(r.code, 0, r.stderr);
    const lines = parseNdjson(r.stdout) as unknown as JsonRecordLine[];
    assert.equal(lines.length, 6);
    for (const l of lines) {
      assert.equal(l.type, "record");
      if (l.newImage) checkImage(l.newImage, format === "dynamodb-json");
      if (l.oldImage) checkImage(l.oldImage, format === "dynamodb-json");
      assert.equal(l.record.dynamodb.NewImage?.lone?.S ?? HOSTILE.lone, HOSTILE.lone);
    }
    // Only escaped forms on the wire: a raw U+2028 is valid JSON but breaks JavaScript consumers.
    assert.doesNotMatch(r.stdout, /[\u0000-\u0009\u000b-\u001f]/);
  }
  const raw = await runCli(["tail", "Orders", "-o", "raw", "--from", "trim-horizon", "--until-end"], {
    env: streamsEnv,
  });
  assert.equal(raw.code, 0, raw.stderr);
  for (const line of raw.stdout.trim().split("\n")) {
    const rec = JSON.parse(line) as { dynamodb: { NewImage?: Record<string, { S: string }> } };
    if (rec.dynamodb.NewImage) assert.equal(rec.dynamodb.NewImage.lone?.S, HOSTILE.lone);
  }
  const again = await runCli(["tail", "--input", recordsFile, "--json"], { env: streamsEnv });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(
    again.stdout,
    (await runCli(["tail", "--input", "-", "--json"], { env: streamsEnv, input: again.stdout })).stdout,
  );
  const ft = await runCli(
    [
      "filter-test",
      "--pattern",
      JSON.stringify({ dynamodb: { NewImage: { lone: { S: [HOSTILE.lone] } } } }),
      "--records",
      recordsFile,
      "--json",
      "--explain",
    ],
    { env: streamsEnv },
  );
  assert.ok(ft.code === 0 || ft.code === 1, ft.stderr);
  assertStdoutEmptyOrJson(ft.stdout);
  assert.ok(ft.stdout.length > 0);
});

// ---- credentials ---------------------------------------------------------------------------------

const SECRETS = {
  AWS_ACCESS_KEY_ID: "AKIADYNASTREAMLEAK01",
  AWS_SECRET_ACCESS_KEY: "dynastream/Secret+Key/DoNotLeak0123456789abcd",
  AWS_SESSION_TOKEN: "FwoGZXIvYXdzEDynastreamSessionTokenDoNotLeak//0123456789==",
};

function assertNoSecrets(r: CliResult, what: string): void {
  for (const [name, value] of Object.entries(SECRETS)) {
    for (const [stream, text] of [
      ["stdout", r.stdout],
      ["stderr", r.stderr],
    ] as const) {
      assert.ok(!text.includes(value), `${what}: ${name} appears in ${stream}`);
    }
  }
}

describe("credentials and session tokens never appear in output, errors or --debug logs", () => {
  let endpoint = "";
  let table = "";
  let plain = "";
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  let denied: StreamsStandin;
  before(async () => {
    endpoint = await ddbEndpoint();
    table = await createTable(endpoint);
    plain = await createTable(endpoint, { viewType: null });
    silent = await startSilentServer();
    denied = await startStreamsStandin();
    denied.faults.inject({ op: "*", kind: "accessDenied", times: Number.POSITIVE_INFINITY });
  });
  after(async () => {
    await silent?.stop();
    await denied?.stop();
  });

  test("every command with --debug, on success and on failure (env credentials with a session token)", async () => {
    const env = (e: string): Record<string, string> =>
      cliEnv(e, {
        ...SECRETS,
        AWS_ENDPOINT_URL_LAMBDA: aws.endpoint,
        AWS_ENDPOINT_URL_CLOUDWATCH: aws.endpoint,
      });
    const refused = `http://127.0.0.1:${await closedPort()}`;
    const runs: Array<[string[], string]> = [
      [["describe", table, "--debug"], endpoint],
      [["shards", table, "--tree", "--debug"], endpoint],
      [["tail", table, "--from", "trim-horizon", "--until-end", "--debug"], endpoint],
      [["lag", table, "--debug"], endpoint],
      [["filter-test", "--pattern", '{"eventName":["INSERT"]}', "--from-stream", table, "--debug"], endpoint],
      [["enable", plain, "--debug"], endpoint],
      [["disable", plain, "--yes", "--debug"], endpoint],
      [["describe", table, "--debug", "--timeout", "1s"], silent.endpoint],
      [["tail", table, "--debug"], refused],
      [["describe", "Orders", "--debug"], denied.endpoint],
      [["tail", "Orders", "--debug"], denied.endpoint],
    ];
    let sawRedaction = false;
    for (const [args, e] of runs) {
      const r = await runCli(args, { env: env(e), timeoutMs: 60_000 });
      assertNoSecrets(r, args.join(" "));
      if (/<redacted>/.test(r.stderr)) sawRedaction = true;
    }
    assert.ok(sawRedaction, "--debug logged requests, with the signature and token redacted");
  });

  test("credentials from a --profile in the shared credentials file", async () => {
    const creds = join(dir, "credentials");
    writeFileSync(
      creds,
      `[leaky]\naws_access_key_id = ${SECRETS.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${SECRETS.AWS_SECRET_ACCESS_KEY}\naws_session_token = ${SECRETS.AWS_SESSION_TOKEN}\n`,
    );
    chmodSync(creds, 0o600);
    const { AWS_ACCESS_KEY_ID: _a, AWS_SECRET_ACCESS_KEY: _s, ...base } = cliEnv(endpoint);
    const env = { ...base, AWS_SHARED_CREDENTIALS_FILE: creds };
    for (const args of [
      ["describe", table, "--profile", "leaky", "--debug"],
      ["tail", table, "--profile", "leaky", "--from", "trim-horizon", "--until-end", "--debug"],
      ["describe", table, "--profile", "nosuch", "--debug"],
    ]) {
      const r = await runCli(args, { env });
      assertNoSecrets(r, args.join(" "));
    }
  });
});

// ---- checkpoint files ------------------------------------------------------------------------------

test("checkpoint files are written with mode 0600, whatever the umask, also over an existing 0644 file", async () => {
  const fresh = join(dir, "fresh.ckpt");
  const existing = join(dir, "existing.ckpt");
  writeFileSync(existing, "");
  chmodSync(existing, 0o644);
  for (const ckpt of [fresh, existing]) {
    // Asynchronously: the stand-in answering tail runs in this process.
    const child = spawn(
      "sh",
      [
        "-c",
        'umask 000; exec "$0" "$@"',
        process.execPath,
        BIN,
        "tail",
        "Orders",
        "--json",
        "--from",
        "trim-horizon",
        "--until-end",
        "--checkpoint",
        ckpt,
      ],
      { env: streamsEnv, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    clearTimeout(timer);
    assert.equal(code, 0, stderr);
    assert.equal(
      statSync(ckpt).mode & 0o777,
      0o600,
      `${ckpt} mode ${(statSync(ckpt).mode & 0o777).toString(8)}`,
    );
  }
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith(".tmp")),
    [],
    "no temporary checkpoint files left behind",
  );
});

// ---- writes: confirmation, and only where the help says so ----------------------------------------

const READ_OP = /\.(Describe\w*|List\w*|Get\w*|Scan|Query|BatchGetItem)$/;

describe("only enable and disable write, and never without confirmation", () => {
  let endpoint = "";
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let env: Record<string, string> = {};
  let table = "";
  let streamArn = "";
  before(async () => {
    endpoint = await ddbEndpoint();
    proxy = await startRecordingProxy(endpoint);
    env = cliEnv(proxy.endpoint, {
      AWS_ENDPOINT_URL_LAMBDA: aws.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH: aws.endpoint,
    });
    table = await createTable(endpoint);
    const { ddb } = clients(endpoint);
    try {
      await ddb.send(
        new PutItemCommand({ TableName: table, Item: { pk: { S: "o1" }, status: { S: "new" } } }),
      );
      await ddb.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk: { S: "o1" } },
          UpdateExpression: "SET #s = :s",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":s": { S: "shipped" } },
        }),
      );
      streamArn =
        (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn ?? "";
    } finally {
      ddb.destroy();
    }
  });
  after(() => proxy?.stop());

  async function streamSpec(): Promise<string> {
    const { ddb } = clients(endpoint);
    try {
      const t = (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table;
      return JSON.stringify([t?.LatestStreamArn, t?.StreamSpecification]);
    } finally {
      ddb.destroy();
    }
  }

  const writes = (reqs: ProxiedRequest[]) =>
    reqs.filter((r) => r.target !== undefined && !READ_OP.test(r.target));

  test("disable and enable --replace without --yes, not on a terminal: exit 2, nothing sent, table unchanged", async () => {
    const beforeSpec = await streamSpec();
    const from = proxy.requests.length;
    for (const [args, input] of [
      [["disable", table], ""],
      [["disable", table], "y\n"],
      [["disable", table, "--json", "--wait"], "yes\n"],
      [["enable", table, "--view-type", "keys-only", "--replace"], "y\n"],
      [["enable", table, "--view-type", "new", "--replace", "--wait"], "yes\n"],
    ] as Array<[string[], string]>) {
      const r = await runCli(args, { env, input });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /--yes/);
      assert.equal(r.stdout, "");
      assertNoStackTrace(r.stderr);
    }
    assert.deepEqual(writes(proxy.requests.slice(from)), [], "no write operation reached DynamoDB");
    assert.equal(await streamSpec(), beforeSpec, "the table's stream is unchanged");
  });

  test("--help: enable and disable say they write to AWS; the others do not write", async () => {
    for (const c of ["enable", "disable", "describe", "shards", "tail", "filter-test", "lag"]) {
      const r = await runCli([c, "--help"], { env });
      assert.equal(r.code, 0, r.stderr);
      if (c === "enable" || c === "disable") assert.match(r.stdout, /writes to AWS/, `${c} --help`);
      else assert.doesNotMatch(r.stdout, /writes to AWS/, `${c} --help`);
    }
    const top = await runCli(["--help"], { env });
    assert.match(top.stdout, /enable .*writes to AWS/s);
  });

  test("describe, shards, tail, lag, filter-test send only read operations (proxy and stand-in logs)", async () => {
    const fn = aws.addFunction("orders-indexer");
    aws.addEventSourceMapping({
      EventSourceArn: streamArn,
      FunctionArn: fn,
      FilterCriteria: { Filters: [{ Pattern: '{"eventName":["MODIFY"]}' }] },
    });
    const lease = await createTable(endpoint, { viewType: null, hashKey: "leaseKey" });
    const ckpt = join(dir, "readonly.ckpt");
    const records = join(dir, "one.ndjson");
    writeFileSync(
      records,
      '{"eventName":"MODIFY","dynamodb":{"Keys":{"pk":{"S":"a"}},"SequenceNumber":"1"}}\n',
    );
    const from = proxy.requests.length;
    const awsFrom = aws.requests.length;
    const runs = [
      ["describe", table],
      ["describe", streamArn, "--json"],
      ["shards", table, "--tree"],
      ["tail", table, "--from", "trim-horizon", "--until-end", "--checkpoint", ckpt],
      ["tail", table, "--from", "trim-horizon", "--until-end", "--checkpoint", ckpt],
      ["lag", table],
      ["lag", table, "--kcl-table", lease, "--all-streams"],
      ["filter-test", "--pattern", '{"eventName":["MODIFY"]}', "--from-stream", table],
      ["filter-test", "--function", "orders-indexer", "--records", records],
    ];
    for (const args of runs) {
      const r = await runCli(args, { env });
      assert.ok([0, 1].includes(r.code ?? -1), `${args.join(" ")}: exit ${r.code} ${r.stderr}`);
    }
    const sent = proxy.requests.slice(from);
    assert.ok(sent.length > 10, `requests recorded: ${sent.length}`);
    assert.deepEqual(writes(sent), [], "only read operations reached DynamoDB / DynamoDB Streams");
    const lambdaAndCw = aws.requests.slice(awsFrom);
    assert.ok(lambdaAndCw.length > 0, "Lambda / CloudWatch were asked");
    for (const r of lambdaAndCw) {
      assert.match(r.op, /^(Get|List|Describe)/, `${r.service} ${r.op}`);
      if (r.service === "lambda") assert.equal(r.method, "GET", `${r.op} is a GET`);
    }
    // The streams stand-in: tail over lineage and the hostile shards only read.
    const calls = Object.keys(streams.stats.calls);
    for (const op of calls) assert.match(`.${op}`, READ_OP, `stand-in saw ${op}`);
    // Positive control: the recorder does see a write.
    const w = await runCli(["disable", table, "--yes"], { env });
    assert.equal(w.code, 0, w.stderr);
    assert.deepEqual(
      writes(proxy.requests.slice(from)).map((r) => r.target),
      ["DynamoDB_20120810.UpdateTable"],
    );
  });
});
