// The README's offline examples, run against the built binary as a reader types them (relative file
// names, from the folder holding the files) and checked against the output the README shows, so the
// README cannot drift silently. Each test names its README section. The input files are the ones the
// README names, with the content its examples imply; times in the output (3ms, cold 11ms) vary and are
// compared as `Nms`. Examples that need AWS, DynamoDB Local or the stand-ins are covered elsewhere
// (tail.test.ts, invoke.test.ts, dlq.test.ts, doctor.test.ts, …).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { jsonLines, runCli } from "../helpers/cli.js";
import { lambdaRecord } from "../helpers/records.js";

const dir = mkdtempSync(join(tmpdir(), "dynastream-readme-e2e-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `name` (relative to the example folder; objects as pretty JSON); returns its path. */
function file(name: string, content: string | object): string {
  const p = join(dir, name);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, typeof content === "string" ? content : `${JSON.stringify(content, null, 2)}\n`);
  return p;
}

const ndjson = (records: object[]): string => records.map((r) => `${JSON.stringify(r)}\n`).join("");

/** `dynastream ...args` in the example folder; `AWS_REGION` as a reader's shell would have it. */
function dynastream(args: string[], input?: string) {
  return runCli(args, {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: dir, AWS_REGION: "us-east-1" },
    timeoutMs: 120_000,
    ...(input !== undefined ? { input } : {}),
  });
}

const ms = (text: string): string => text.replace(/\d+(\.\d+)?ms\b/g, "Nms");

const STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000";

// ---- the input files the README's examples name -----------------------------------------------

/** `filter-test` and `tail --input` examples: a MODIFY then an INSERT (the `--json` example's ids). */
file(
  "records.ndjson",
  ndjson([
    lambdaRecord(
      { eventID: "c4ca4238a0b923820dcc509a6f75849b", eventSourceARN: STREAM },
      {
        Keys: { pk: { S: "ORDER#1" } },
        NewImage: { pk: { S: "ORDER#1" }, status: { S: "paid" } },
        OldImage: { pk: { S: "ORDER#1" }, status: { S: "new" } },
        SequenceNumber: "100",
      },
    ),
    lambdaRecord(
      { eventID: "c81e728d9d4c2f636f067f89cc14862c", eventName: "INSERT", eventSourceARN: STREAM },
      {
        Keys: { pk: { S: "ORDER#2" } },
        NewImage: { pk: { S: "ORDER#2" }, status: { S: "new" } },
        OldImage: undefined,
        SequenceNumber: "101",
      },
    ),
  ]),
);
file("filters.json", { Filters: [{ Pattern: '{"eventName":["INSERT"]}' }] });

/** A Lambda test event (pretty-printed, one INSERT), as `--records event.json` and `--input event.json` read it. */
file("event.json", {
  Records: [
    lambdaRecord(
      { eventID: "c81e728d9d4c2f636f067f89cc14862c", eventName: "INSERT", eventSourceARN: STREAM },
      {
        ApproximateCreationDateTime: 1769850843,
        Keys: { orderId: { S: "order-123" } },
        NewImage: { orderId: { S: "order-123" }, status: { S: "pending" }, total: { N: "47.97" } },
        OldImage: undefined,
        SequenceNumber: "49900000000000000000000000000001",
        SizeBytes: 60,
      },
    ),
  ],
});

describe("README: Global options, Exit codes (the program itself)", () => {
  test("--version prints the version; --help starts with examples; no command is exit 2 with a hint", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    const v = await dynastream(["--version"]);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), version);
    const h = await dynastream(["--help"]);
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /^Examples:\n/);
    const none = await dynastream([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^error: missing command\nhint: /);
  });
});

describe("README: tail → Output (json) and Rendering captured records: --input", () => {
  // The README's json example, unwrapped, with the two images its `record` shows as {…}.
  const images =
    '"NewImage":{"orderId":{"S":"order-123"},"status":{"S":"shipped"},"total":{"N":"12345678901234567890.123456789"},"note":{"S":"gift"}},' +
    '"OldImage":{"orderId":{"S":"order-123"},"status":{"S":"pending"},"total":{"N":"12345678901234567890.123456789"},"coupon":{"S":"X1"}}';
  const readmeLine =
    '{"type":"record","eventID":"c81e728d9d4c2f636f067f89cc14862c","eventName":"MODIFY","table":"Orders",' +
    `"streamArn":"${STREAM}",` +
    '"shardId":"shardId-00000001767225600000-1a2b3c4d","sequenceNumber":"49900000000000000000000000000001",' +
    '"approximateCreationDateTime":"2026-01-31T09:14:03.000Z","ttl":false,' +
    '"keys":{"orderId":"order-123"},' +
    '"oldImage":{"orderId":"order-123","status":"pending","total":12345678901234567890.123456789,"coupon":"X1"},' +
    '"newImage":{"orderId":"order-123","status":"shipped","total":12345678901234567890.123456789,"note":"gift"},' +
    '"changes":[{"path":["status"],"kind":"changed","old":"pending","new":"shipped"},' +
    '{"path":["coupon"],"kind":"removed","old":"X1"},' +
    '{"path":["note"],"kind":"added","new":"gift"}],' +
    '"source":"dynamodb-stream",' +
    '"record":{"eventID":"c81e728d9d4c2f636f067f89cc14862c","eventName":"MODIFY","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",' +
    `"dynamodb":{"ApproximateCreationDateTime":1769850843,"Keys":{"orderId":{"S":"order-123"}},${images},` +
    '"SequenceNumber":"49900000000000000000000000000001","SizeBytes":142,"StreamViewType":"NEW_AND_OLD_IMAGES"},' +
    `"eventSourceARN":"${STREAM}"}}\n`;
  const pretty = [
    "2026-01-31 09:14:03Z MODIFY Orders orderId=order-123 shard:1a2b3c4d",
    '  ~ status: "pending" → "shipped"',
    '  - coupon: "X1"',
    '  + note: "gift"',
  ];

  test("tail's own NDJSON renders back byte for byte; `tail --input - -o pretty` shows only what changed", async () => {
    file("changes.ndjson", readmeLine);
    const back = await dynastream(["tail", "--input", "changes.ndjson", "--json"]);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(back.stdout, readmeLine);
    // dynastream tail Orders --json | tee changes.ndjson | dynastream tail --input - -o pretty
    const p = await dynastream(["tail", "--input", "-", "-o", "pretty"], readmeLine);
    assert.equal(p.code, 0, p.stderr);
    assert.deepEqual(p.stdout.trimEnd().split("\n"), pretty);
  });

  test("the same record in the Lambda shape gives the same line (no shard: shardId null)", async () => {
    const lambda = JSON.parse(readmeLine).record as object;
    file("modify.json", lambda);
    const r = await dynastream(["tail", "--input", "modify.json", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readmeLine.replace('"shardId-00000001767225600000-1a2b3c4d"', "null"));
  });

  test("dynastream tail --input event.json renders a Lambda test event", async () => {
    const r = await dynastream(["tail", "--input", "event.json", "-o", "pretty"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trimEnd().split("\n"), [
      "2026-01-31 09:14:03Z INSERT Orders orderId=order-123",
      '  orderId: "order-123"',
      '  status: "pending"',
      "  total: 47.97",
    ]);
  });

  test("a line of the wrong shape is exit 2 naming the line; the records before it are written first", async () => {
    const bad = join(dir, "bad");
    mkdirSync(bad);
    writeFileSync(
      join(bad, "records.ndjson"),
      `${readFileSync(join(dir, "records.ndjson"), "utf8")}{"eventName":"INSERT"}\n`,
    );
    const r = await runCli(["tail", "--input", "records.ndjson", "--json"], { cwd: bad });
    assert.equal(r.code, 2);
    assert.equal(jsonLines(r.stdout).length, 2);
    assert.match(
      r.stderr,
      /^error: --input records\.ndjson: line 3: not a DynamoDB stream record \(no "dynamodb" object\)$/m,
    );
  });
});

describe("README: Test Lambda event filters: dynastream filter-test", () => {
  test("one pattern, one captured record (exit 0: it matched, 1: it did not)", async () => {
    const yes = await dynastream([
      "filter-test",
      "--pattern",
      '{"eventName":["INSERT"]}',
      "--records",
      "event.json",
    ]);
    assert.equal(yes.code, 0, yes.stderr);
    assert.match(yes.stdout, /^#1 {2}MATCH filter #1 {3}INSERT \{"orderId":"order-123"\}$/m);
    const no = await dynastream([
      "filter-test",
      "--pattern",
      '{"eventName":["MODIFY"]}',
      "--records",
      "event.json",
    ]);
    assert.equal(no.code, 1, no.stderr);
  });

  test("the numeric pattern and the INSERT pattern against order-modified.json: lint, explanations, summary", async () => {
    file(
      "order-modified.json",
      lambdaRecord(
        {},
        {
          Keys: { pk: { S: "ORDER#1" } },
          NewImage: { pk: { S: "ORDER#1" }, total: { N: "150" } },
          OldImage: { pk: { S: "ORDER#1" }, total: { N: "120" } },
        },
      ),
    );
    const r = await dynastream([
      "filter-test",
      "--pattern",
      '{"dynamodb":{"NewImage":{"total":{"N":[{"numeric":[">",100]}]}}}}',
      "--pattern",
      '{"eventName":["INSERT"]}',
      "--records",
      "order-modified.json",
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(
      r.stderr,
      'warning: filter #1 (--pattern 1), line 1, column 35, at dynamodb.NewImage.total.N: numeric never matches here: DynamoDB stream records carry N values as strings (e.g. "42"). Use exact strings, prefix or anything-but on the string form\n',
    );
    assert.equal(
      r.stdout,
      [
        '#1  no match          MODIFY {"pk":"ORDER#1"}',
        "      filter #1: dynamodb.NewImage.total.N: numeric operator never matches a DynamoDB N value, which is a string in stream records",
        '      filter #2: eventName: "MODIFY" is not one of ["INSERT"]',
        "",
        "1 record: 0 matched, 1 filtered out",
        "",
      ].join("\n"),
    );
  });

  test("Output: the explanation of a record no filter matched, and the summary line", async () => {
    file(
      "new-image.ndjson",
      ndjson([
        lambdaRecord({}, { NewImage: { pk: { S: "ORDER#1" }, status: { S: "new" } }, OldImage: undefined }),
        lambdaRecord(
          {},
          {
            Keys: { pk: { S: "ORDER#2" } },
            NewImage: { pk: { S: "ORDER#2" }, status: { S: "shipped" } },
            OldImage: undefined,
            StreamViewType: "NEW_IMAGE",
          },
        ),
      ]),
    );
    const r = await dynastream([
      "filter-test",
      "--pattern",
      '{"dynamodb":{"NewImage":{"status":["shipped"]}}}',
      "--pattern",
      '{"dynamodb":{"OldImage":{"status":{"S":["paid"]}}}}',
      "--records",
      "new-image.ndjson",
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(
      r.stdout.includes(
        [
          '#2  no match          MODIFY {"pk":"ORDER#2"}',
          '      filter #1: dynamodb.NewImage.status: value is a DynamoDB attribute value {"S":"shipped"}, an object: match inside its type descriptor, e.g. {"S": [...]}',
          "      filter #2: dynamodb.OldImage: field is absent",
        ].join("\n"),
      ),
      r.stdout,
    );
    // `25 records: 12 matched (filter #1: 10, filter #2: 2), 13 filtered out`
    const names = [...Array(10).fill("INSERT"), ...Array(2).fill("REMOVE"), ...Array(13).fill("MODIFY")];
    file("many.ndjson", ndjson(names.map((eventName, i) => lambdaRecord({ eventID: `e${i}`, eventName }))));
    const s = await dynastream([
      "filter-test",
      "--pattern",
      '{"eventName":["INSERT"]}',
      "--pattern",
      '{"eventName":["REMOVE"]}',
      "--records",
      "many.ndjson",
      "--summary",
    ]);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(s.stdout, "25 records: 12 matched (filter #1: 10, filter #2: 2), 13 filtered out\n");
  });

  test("--criteria filters.json --records records.ndjson --json: the README's document", async () => {
    const r = await dynastream([
      "filter-test",
      "--criteria",
      "filters.json",
      "--records",
      "records.ndjson",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      dialect: "lambda",
      valid: true,
      filters: [{ pattern: '{"eventName":["INSERT"]}', origin: "filters.json Filters[0]" }],
      results: [
        {
          index: 0,
          eventID: "c4ca4238a0b923820dcc509a6f75849b",
          eventName: "MODIFY",
          matched: false,
          filter: null,
          reason: 'eventName: "MODIFY" is not one of ["INSERT"]',
          explanation: [{ filter: 0, path: "eventName", reason: '"MODIFY" is not one of ["INSERT"]' }],
        },
        {
          index: 1,
          eventID: "c81e728d9d4c2f636f067f89cc14862c",
          eventName: "INSERT",
          matched: true,
          filter: 0,
          reason: null,
        },
      ],
      matched: 1,
      total: 2,
      byFilter: [1],
      expect: null,
      disagreeing: 0,
      explained: true,
      warnings: [],
    });
  });

  test("--expect match: exit 1 with the records that disagree named in the error", async () => {
    const r = await dynastream([
      "filter-test",
      "--criteria",
      "filters.json",
      "--records",
      "records.ndjson",
      "--expect",
      "match",
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: --expect match: 1 of 2 records disagree: record #1 \(MODIFY \{"pk":"ORDER#1"\}\) matched no filter, expected match: eventName: "MODIFY" is not one of \["INSERT"\]$/m,
    );
  });

  test("without records the patterns are only validated: exit 0", async () => {
    const r = await dynastream(["filter-test", "--pattern", '{"eventName":["INSERT"]}']);
    assert.equal(r.code, 0, r.stderr);
  });

  test("CI test suites: dynastream filter-test --cases filter-cases.json", async () => {
    // The suite exactly as the README shows it; its criteria let a MODIFY to "paid" through (filter #2),
    // which the second case catches.
    file("infra/order-handler-filters.json", {
      Filters: [
        { Pattern: '{"eventName":["INSERT"]}' },
        {
          Pattern:
            '{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"status":{"S":[{"anything-but":["new"]}]}}}}',
        },
      ],
    });
    file(
      "filter-cases.json",
      `{
  "criteria": "infra/order-handler-filters.json",
  "dialect": "lambda",
  "viewType": "NEW_AND_OLD_IMAGES",
  "cases": [
    {
      "name": "a new order is delivered",
      "record": {
        "eventName": "INSERT",
        "dynamodb": { "Keys": { "pk": { "S": "ORDER#1" } },
                      "NewImage": { "pk": { "S": "ORDER#1" }, "status": { "S": "new" } } }
      },
      "expect": "match"
    },
    {
      "name": "status changes other than shipped are filtered out",
      "records": [
        { "eventName": "MODIFY", "dynamodb": { "NewImage": { "status": { "S": "paid" } } } },
        { "eventName": "REMOVE", "dynamodb": { "OldImage": { "status": { "S": "paid" } } } }
      ],
      "expect": "no-match"
    }
  ]
}
`,
    );
    const r = await dynastream(["filter-test", "--cases", "filter-cases.json"]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(
      r.stdout,
      [
        "✓ a new order is delivered",
        "✗ status changes other than shipped are filtered out",
        "    expected no-match: record #1 (MODIFY) matched filter #2",
        "",
        "1 passed, 1 failed",
        "",
      ].join("\n"),
    );
    const j = await dynastream(["filter-test", "--cases", "filter-cases.json", "--json"]);
    assert.equal(j.code, 1, j.stderr);
    const doc = JSON.parse(j.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(doc), [
      "dialect",
      "valid",
      "filters",
      "cases",
      "passed",
      "failed",
      "total",
      "warnings",
    ]);
    assert.deepEqual([doc.passed, doc.failed, doc.total], [1, 1, 2]);
  });
});

describe("README: Run a stream handler as Lambda would: dynastream invoke", () => {
  // captured.ndjson: three records 100…102 of one shard, as `tail --json` writes them.
  const lambdaLines = ndjson(
    ["A", "B", "C"].map((name, i) =>
      lambdaRecord(
        { eventID: `e10${i}`, eventName: "INSERT", eventSourceARN: STREAM },
        {
          ApproximateCreationDateTime: 1704110401, // 2024-01-01T12:00:01Z
          Keys: { pk: { S: name } },
          NewImage: { pk: { S: name }, name: { S: name } },
          OldImage: undefined,
          SequenceNumber: String(100 + i),
        },
      ),
    ),
  );
  const SHARD = "shardId-00000001767225600000-0c730edc";
  file(
    "src/handler.mjs",
    `export const handler = async (event) => {
  console.log("records", event.Records.map((r) => r.dynamodb.SequenceNumber).join(","));
  for (const r of event.Records) if (r.dynamodb.NewImage?.name?.S === "B") throw new TypeError("cannot process B");
};
`,
  );
  file(
    "src/partial.mjs",
    `export const handler = async (event) => ({
  batchItemFailures: event.Records.filter((r) => r.dynamodb.SequenceNumber === "101").map((r) => ({
    itemIdentifier: r.dynamodb.SequenceNumber,
  })),
});
`,
  );

  async function captured(): Promise<void> {
    file("lambda-records.ndjson", lambdaLines);
    const t = await dynastream(["tail", "--input", "lambda-records.ndjson", "--json"]);
    assert.equal(t.code, 0, t.stderr);
    file("captured.ndjson", t.stdout.replaceAll('"shardId":null', `"shardId":"${SHARD}"`));
  }

  test("bisection down to the poison record, one retry, on-failure: the README's stderr and failed.ndjson", async () => {
    await captured();
    const r = await dynastream([
      "invoke",
      "./src/handler.mjs",
      "--input",
      "captured.ndjson",
      "--on-failure",
      "failed.ndjson",
      "--batch-size",
      "3",
      "--max-retry-attempts",
      "1",
      "--bisect-on-error",
    ]);
    assert.equal(r.code, 1, r.stderr);
    const readme = `settings: batch size 3, window 0s, max retries 1, no max record age, bisect on error, no ReportBatchItemFailures, parallelization 1, timeout 3s
#1 │ records 100,101,102
#1 shard 0c730edc · 3 records 100…102 · attempt 1 · 3ms · cold 11ms · error TypeError: cannot process B → bisect in two
#2 │ records 100,101
#2 shard 0c730edc · 2 records 100…101 · attempt 2 (bisected) · 1ms · warm · error TypeError: cannot process B → bisect in two
#3 │ records 100
#3 shard 0c730edc · 1 record 100 · attempt 3 (bisected) · 1ms · warm · ok
#4 │ records 101
#4 shard 0c730edc · 1 record 101 · attempt 3 (bisected) · 1ms · warm · error TypeError: cannot process B → retry
#5 │ records 101
#5 shard 0c730edc · 1 record 101 · attempt 4 · 3ms · warm · error TypeError: cannot process B → on-failure
on-failure shard 0c730edc · 1 record 101 · RetryAttemptsExhausted after 4 invocations (written to failed.ndjson); the shard moves on
#6 │ records 102
#6 shard 0c730edc · 1 record 102 · attempt 2 (bisected) · 1ms · warm · ok
6 invocations (1 cold start): 2 records delivered, 0 filtered out, 1 sent to on-failure in 1 batch; 1 retry, 2 bisections
Lambda would have skipped 1 record (described in the on-failure destination; the records themselves are not sent there) and moved on.
`;
    assert.equal(ms(r.stderr), ms(readme));
    // Output and the on-failure record: the line failed.ndjson got.
    const [failure, ...more] = jsonLines(readFileSync(join(dir, "failed.ndjson"), "utf8"));
    assert.equal(more.length, 0);
    const { requestContext, timestamp, ...rest } = failure as {
      requestContext: Record<string, unknown>;
      timestamp: string;
    };
    assert.match(timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(
      { ...requestContext, requestId: "…" },
      {
        requestId: "…",
        functionArn: "arn:aws:lambda:us-east-1:000000000000:function:handler",
        condition: "RetryAttemptsExhausted",
        approximateInvokeCount: 4,
      },
    );
    assert.deepEqual(rest, {
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      version: "1.0",
      DDBStreamBatchInfo: {
        shardId: SHARD,
        startSequenceNumber: "101",
        endSequenceNumber: "101",
        approximateArrivalOfFirstRecord: "2024-01-01T12:00:01Z",
        approximateArrivalOfLastRecord: "2024-01-01T12:00:01Z",
        batchSize: 1,
        streamArn: STREAM,
      },
    });
  });

  test("--json with a partial-batch response: the README's NDJSON lines", async () => {
    await captured();
    const r = await dynastream([
      "invoke",
      "./src/partial.mjs",
      "--input",
      "captured.ndjson",
      "--batch-size",
      "3",
      "--max-retry-attempts",
      "1",
      "--report-batch-item-failures",
      "--json",
    ]);
    assert.equal(r.code, 1, r.stderr);
    // Times and request ids vary: compared as the README writes them.
    const lines = jsonLines(r.stdout).map((l): Record<string, unknown> => {
      const { durationMs: _, requestId, initMs, ...keep } = l;
      return {
        ...keep,
        ...(requestId !== undefined ? { requestId: "…" } : {}),
        ...(initMs !== undefined ? { initMs: 11 } : {}),
      };
    });
    const invokeLine = (over: Record<string, unknown>) => ({
      type: "invoke",
      shardId: SHARD,
      requestId: "…",
      result: "partial",
      failedItems: ["101"],
      retryFrom: "101",
      ...over,
    });
    assert.deepEqual(lines.length, 4);
    assert.deepEqual(
      lines[0],
      invokeLine({
        invocation: 1,
        records: 3,
        firstSequenceNumber: "100",
        lastSequenceNumber: "102",
        attempt: 1,
        origin: "new",
        cold: true,
        next: "checkpoint",
        initMs: 11,
      }),
    );
    assert.deepEqual(
      lines[1],
      invokeLine({
        invocation: 2,
        records: 2,
        firstSequenceNumber: "101",
        lastSequenceNumber: "102",
        attempt: 2,
        origin: "checkpoint",
        cold: false,
        next: "on-failure",
      }),
    );
    assert.equal(lines[2]?.type, "failure");
    assert.equal(lines[2]?.condition, "RetryAttemptsExhausted");
    assert.deepEqual(lines[3], {
      type: "summary",
      invocations: 2,
      delivered: 1,
      filtered: 0,
      discarded: 2,
      discardedBatches: 1,
      retries: 1,
      bisections: 0,
      blockedLanes: 0,
      undelivered: 0,
      coldStarts: 1,
      blockedShards: [],
    });
  });
});

describe("README: Shell completion: dynastream completion", () => {
  test('completion bash prints a script that bash loads (eval "$(dynastream completion bash)")', async () => {
    const r = await dynastream(["completion", "bash"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# bash completion for dynastream/);
    const bash = spawnSync("bash", ["-c", 'eval "$(cat)"; complete -p dynastream'], {
      input: r.stdout,
      encoding: "utf8",
    });
    assert.equal(bash.status, 0, bash.stderr);
    assert.equal(bash.stdout.trim(), "complete -F _dynastream dynastream");
    for (const shell of ["zsh", "fish"]) {
      const s = await dynastream(["completion", shell]);
      assert.equal(s.code, 0, s.stderr);
      assert.match(s.stdout, new RegExp(`${shell} completion for dynastream`));
    }
  });
});
