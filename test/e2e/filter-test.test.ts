// `dynastream filter-test` end to end: the built binary on files and stdin, every input shape, every
// criteria shape, explanations, lints, exit codes, --expect, --cases, bad inputs; and that it never
// loads the AWS SDK without --function / --from-stream.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { goV1 } from "../helpers/attr.js";
import { type CliResult, runCli } from "../helpers/cli.js";
import { ARN, lambdaRecord } from "../helpers/records.js";
import { runWithSdkProbe } from "../helpers/sdk-probe.js";

const dir = mkdtempSync(join(tmpdir(), "dynastream-filter-test-e2e-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer | object): string {
  const p = join(dir, name);
  writeFileSync(
    p,
    typeof content === "string" || Buffer.isBuffer(content) ? content : JSON.stringify(content, null, 2),
  );
  return p;
}

/** A MODIFY record in the Lambda shape, as in the DynamoDB Streams developer guide. */
function record(id: string, over: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
  return lambdaRecord(
    { eventID: id, ...over },
    {
      Keys: { pk: { S: `ORDER#${id}` } },
      NewImage: { pk: { S: `ORDER#${id}` }, status: { S: "shipped" }, total: { N: "129.95" } },
      OldImage: { pk: { S: `ORDER#${id}` }, status: { S: "pending" }, total: { N: "129.95" } },
      SequenceNumber: `10${id}`,
      SizeBytes: 60,
      ...data,
    },
  );
}

const SHIPPED = '{"dynamodb":{"NewImage":{"status":{"S":["shipped"]}}}}';
const INSERT = '{"eventName":["INSERT"]}';
const NUMERIC = '{"dynamodb":{"NewImage":{"total":{"N":[{"numeric":[">",100]}]}}}}';

const modify = file("modify.json", record("1"));
const insert = file("insert.json", record("2", { eventName: "INSERT" }, { OldImage: undefined }));

function ft(args: string[], input?: string): Promise<CliResult> {
  return runCli(["filter-test", ...args], input === undefined ? {} : { input });
}

interface JsonRun {
  dialect: string;
  valid: boolean;
  filters: { pattern: string; origin: string }[];
  results?: {
    index: number;
    eventID: string | null;
    eventName: string | null;
    matched: boolean;
    filter: number | null;
    reason: string | null;
    explanation?: { filter: number; path: string | null; reason: string | null }[];
  }[];
  matched: number;
  total: number;
  byFilter: number[];
  expect: string | null;
  disagreeing: number;
  explained: boolean;
  warnings: {
    level: string;
    code: string;
    message: string;
    filter?: number;
    line?: number;
    column?: number;
  }[];
  errors?: { code: string; message: string; line?: number; column?: number; filter?: number }[];
  error?: string;
}

function json(r: CliResult): JsonRun {
  try {
    return JSON.parse(r.stdout) as JsonRun;
  } catch (e) {
    assert.fail(`stdout is not JSON (${(e as Error).message}): ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

describe("verdicts, explanations and exit codes", () => {
  test("a match: MATCH filter #1, exit 0", async () => {
    const r = await ft(["--pattern", SHIPPED, "--records", modify]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^#1 {2}MATCH filter #1 +MODIFY \{"pk":"ORDER#1"\}$/m);
    assert.match(r.stdout, /^1 record: 1 matched, 0 filtered out$/m);
  });
  test("no match: the explanation per filter, exit 1", async () => {
    const r = await ft(["--pattern", NUMERIC, "--pattern", INSERT, "--records", modify]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^#1 {2}no match/m);
    assert.match(
      r.stdout,
      /filter #1: dynamodb\.NewImage\.total\.N: numeric operator never matches a DynamoDB N value, which is a string in stream records/,
    );
    assert.match(r.stdout, /filter #2: eventName: "MODIFY" is not one of \["INSERT"\]/);
    assert.match(r.stdout, /^1 record: 0 matched, 1 filtered out$/m);
  });
  test("several patterns are ORed like Filters: the first matching one is named", async () => {
    const both = file(
      "both.ndjson",
      `${JSON.stringify(record("1"))}\n${JSON.stringify(record("2", { eventName: "INSERT" }))}\n`,
    );
    const r = await ft(["--pattern", INSERT, "--pattern", SHIPPED, "--records", both]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^#1 {2}MATCH filter #2 /m);
    assert.match(r.stdout, /^#2 {2}MATCH filter #1 /m);
    assert.match(r.stdout, /2 records: 2 matched \(filter #1: 1, filter #2: 1\), 0 filtered out/);
  });
  test("explanations: on for ≤ 20 records, off above, --explain / --no-explain", async () => {
    const lines = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        JSON.stringify(record(String(i), { eventName: i % 2 ? "INSERT" : "MODIFY" })),
      ).join("\n");
    const twenty = file("twenty.ndjson", lines(20));
    const many = file("many.ndjson", lines(21));
    const a = await ft(["--pattern", INSERT, "--records", twenty]);
    assert.equal((a.stdout.match(/is not one of/g) ?? []).length, 10);
    const b = await ft(["--pattern", INSERT, "--records", many]);
    assert.equal((b.stdout.match(/is not one of/g) ?? []).length, 0);
    assert.match(b.stdout, /21 records: 10 matched, 11 filtered out/);
    const c = await ft(["--pattern", INSERT, "--records", many, "--explain"]);
    assert.equal((c.stdout.match(/is not one of/g) ?? []).length, 11);
    const d = await ft(["--pattern", INSERT, "--records", twenty, "--no-explain"]);
    assert.equal((d.stdout.match(/is not one of/g) ?? []).length, 0);
    const s = await ft(["--pattern", INSERT, "--records", many, "--summary"]);
    assert.equal(s.stdout, "21 records: 10 matched, 11 filtered out\n");
  });
  test("--json: the documented shape", async () => {
    const r = await ft(["--pattern", NUMERIC, "--pattern", SHIPPED, "--records", modify, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = json(r);
    assert.equal(j.dialect, "lambda");
    assert.equal(j.valid, true);
    assert.deepEqual(j.filters, [
      { pattern: NUMERIC, origin: "--pattern 1" },
      { pattern: SHIPPED, origin: "--pattern 2" },
    ]);
    assert.deepEqual(j.results, [
      { index: 0, eventID: "1", eventName: "MODIFY", matched: true, filter: 1, reason: null },
    ]);
    assert.deepEqual([j.matched, j.total, j.byFilter, j.expect, j.disagreeing], [1, 1, [0, 1], null, 0]);
    assert.ok(j.warnings.some((w) => w.code === "ddb-numeric-on-number" && w.filter === 0));
  });
  test("--json: a miss has a reason and a per-filter explanation", async () => {
    const j = json(await ft(["--pattern", NUMERIC, "--records", modify, "--json"]));
    const res = j.results?.[0];
    assert.equal(res?.matched, false);
    assert.equal(res?.filter, null);
    assert.equal(
      res?.reason,
      "dynamodb.NewImage.total.N: numeric operator never matches a DynamoDB N value, which is a string in stream records",
    );
    assert.deepEqual(res?.explanation?.[0], {
      filter: 0,
      path: "dynamodb.NewImage.total.N",
      reason: "numeric operator never matches a DynamoDB N value, which is a string in stream records",
    });
  });
  test("--summary with --json leaves out results", async () => {
    const j = json(await ft(["--pattern", SHIPPED, "--records", modify, "--json", "--summary"]));
    assert.equal(j.results, undefined);
    assert.equal(j.total, 1);
  });
});

describe("record shapes", () => {
  const r1 = record("1");
  const r2 = record("2", { eventName: "INSERT" });
  test("Lambda record, SDK shape (ISO time, capitalised identity), JSON array, NDJSON, Lambda event", async () => {
    const sdk = {
      ...r1,
      eventSourceARN: undefined,
      userIdentity: { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" },
      dynamodb: { ...r1.dynamodb, ApproximateCreationDateTime: "2024-01-01T12:00:05.000Z" },
    };
    const inputs: [string, string, number][] = [
      ["lambda.json", JSON.stringify(r1, null, 2), 1],
      ["sdk.json", JSON.stringify(sdk), 1],
      ["array.json", JSON.stringify([r1, r2], null, 2), 2],
      ["records.ndjson", `${JSON.stringify(r1)}\n\n${JSON.stringify(r2)}\n`, 2],
      ["event.json", JSON.stringify({ Records: [r1, r2] }, null, 2), 2],
      ["events.ndjson", `${JSON.stringify({ Records: [r1] })}\n${JSON.stringify({ Records: [r2] })}\n`, 2],
    ];
    for (const [name, content, n] of inputs) {
      const r = await ft(["--pattern", SHIPPED, "--records", file(name, content), "--json"]);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.equal(json(r).total, n, name);
    }
  });
  test("values with every type descriptor and the unused ones null (Go v1) are matched as their one descriptor", async () => {
    const go = record(
      "1",
      {},
      {
        NewImage: {
          pk: goV1("S", "ORDER#1"),
          status: goV1("S", "shipped"),
          total: goV1("N", "129.95"),
          gift: goV1("BOOL", false),
          items: goV1("L", [goV1("M", { qty: goV1("N", "3") })]),
        },
      },
    );
    const pattern =
      '{"dynamodb":{"NewImage":{"status":{"S":["shipped"],"N":[{"exists":false}]},"gift":{"BOOL":[false]},"total":{"N":["129.95"]}}}}';
    const r = await ft(["--pattern", pattern, "--records", file("go-v1.json", go), "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json(r).matched, 1);
    const bad = record("1", {}, { NewImage: { status: { ...goV1("S", "x"), N: "1" } } });
    const b = await ft(["--pattern", pattern, "--records", file("go-v1-bad.json", bad)]);
    assert.equal(b.code, 2);
    assert.match(
      b.stderr,
      /dynamodb\.NewImage\.status: not a DynamoDB attribute value \(expected exactly one of/,
    );
  });
  test("records are matched in the Lambda shape: epoch-seconds time, lower-case userIdentity", async () => {
    const sdk = {
      ...r1,
      userIdentity: { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" },
      dynamodb: { ...r1.dynamodb, ApproximateCreationDateTime: "2024-01-01T12:00:05.000Z" },
    };
    const f = file("sdk2.json", sdk);
    const a = await ft([
      "--pattern",
      '{"dynamodb":{"ApproximateCreationDateTime":[{"numeric":["=",1704110405]}]}}',
      "--records",
      f,
    ]);
    assert.equal(a.code, 0, a.stdout + a.stderr);
    const b = await ft([
      "--pattern",
      '{"userIdentity":{"principalId":["dynamodb.amazonaws.com"]}}',
      "--records",
      f,
    ]);
    assert.equal(b.code, 0, b.stdout + b.stderr);
  });
  test("stdin (-) and tail's NDJSON (dynastream tail --input)", async () => {
    const ev = file("for-tail.json", { Records: [r1, r2] });
    const tail = await runCli(["tail", "--input", ev, "--output", "json"]);
    assert.equal(tail.code, 0, tail.stderr);
    assert.match(tail.stdout, /^\{"type":"record"/);
    const r = await ft(["--pattern", INSERT, "--records", "-", "--json"], tail.stdout);
    assert.equal(r.code, 0, r.stderr);
    const j = json(r);
    assert.equal(j.total, 2);
    assert.deepEqual(
      j.results?.map((x) => [x.eventID, x.matched]),
      [
        ["1", false],
        ["2", true],
      ],
    );
    const crafted = `${JSON.stringify({ type: "record", eventID: "9", record: r2 })}\n${JSON.stringify({ type: "gap", shardId: "s" })}\n`;
    const c = await ft(["--pattern", INSERT, "--records", "-"], crafted);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /1 record: 1 matched/);
  });
});

describe("pattern sources", () => {
  test("--pattern @file, also holding a FilterCriteria", async () => {
    const p = file("pattern.json", `${SHIPPED}\n`);
    const a = await ft(["--pattern", `@${p}`, "--records", modify, "--json"]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(json(a).filters[0]?.pattern, SHIPPED);
    assert.equal(json(a).filters[0]?.origin, p);
    const fc = file("pattern-fc.json", { Filters: [{ Pattern: INSERT }, { Pattern: SHIPPED }] });
    const b = await ft(["--pattern", `@${fc}`, "--records", modify, "--json"]);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(json(b).filters.length, 2);
    assert.equal(json(b).results?.[0]?.filter, 1);
  });
  test("--criteria in every shape", async () => {
    const fc = { Filters: [{ Pattern: INSERT }, { Pattern: SHIPPED }] };
    const shapes: Record<string, object> = {
      "filter-criteria": fc,
      "object-patterns": { Filters: [{ Pattern: JSON.parse(INSERT) }, { Pattern: JSON.parse(SHIPPED) }] },
      "get-event-source-mapping": {
        UUID: "6d9bce8e-836b-442c-8070-74e77903c815",
        EventSourceArn: ARN,
        FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:orders",
        FilterCriteria: fc,
        State: "Enabled",
      },
      "cfn-resource": {
        Type: "AWS::Lambda::EventSourceMapping",
        Properties: { FunctionName: "orders", FilterCriteria: fc },
      },
      "sam-template": {
        AWSTemplateFormatVersion: "2010-09-09",
        Transform: "AWS::Serverless-2016-10-31",
        Resources: {
          Orders: {
            Type: "AWS::Serverless::Function",
            Properties: {
              Events: {
                Stream: {
                  Type: "DynamoDB",
                  Properties: {
                    Stream: ARN,
                    FilterCriteria: { Filters: [{ Pattern: JSON.parse(INSERT) }, { Pattern: SHIPPED }] },
                  },
                },
              },
            },
          },
        },
      },
    };
    for (const [name, doc] of Object.entries(shapes)) {
      const r = await ft(["--criteria", file(`${name}.json`, doc), "--records", modify, "--json"]);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      const j = json(r);
      assert.deepEqual(
        j.filters.map((f) => f.pattern),
        [INSERT, SHIPPED],
        name,
      );
      assert.equal(j.results?.[0]?.filter, 1, name);
    }
  });
  test("KMS-encrypted criteria in a file: a clear error", async () => {
    const f = file("kms.json", {
      UUID: "u",
      FilterCriteria: null,
      KMSKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
      FilterCriteriaError: { ErrorCode: "KMSAccessDeniedException", Message: "denied" },
    });
    const r = await ft(["--criteria", f, "--records", modify]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /encrypted with the KMS key arn:aws:kms:us-east-1:123456789012:key\/k/);
  });
  test("patterns only (no records): validated and linted, exit 0", async () => {
    const r = await ft(["--pattern", NUMERIC]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /the filter is valid \(lambda dialect\), 1 warning/);
    assert.match(r.stderr, /checked the patterns only/);
    const j = json(await ft(["--pattern", NUMERIC, "--json"]));
    assert.equal(j.valid, true);
    assert.equal(j.warnings[0]?.code, "ddb-numeric-on-number");
  });
});

describe("lints and warnings", () => {
  test("lints go to stderr and into the JSON warnings", async () => {
    const p = '{"dynamodb":{"NewImage":{"status":[{"exists":true}]}},"body":{"x":["y"]}}';
    const r = await ft(["--pattern", p, "--records", modify]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /warning: filter #1 \(--pattern 1\), line 1, column \d+, at dynamodb\.NewImage\.status: "exists" on an attribute node/,
    );
    assert.match(r.stderr, /warning: .*"body" is the filtering key of SQS events/);
    const j = json(await ft(["--pattern", p, "--records", modify, "--json"]));
    const codes = j.warnings.map((w) => w.code);
    assert.ok(codes.includes("ddb-exists-on-attribute"), codes.join());
    assert.ok(codes.includes("ddb-foreign-source-key"), codes.join());
  });
  test("--view-type feeds the lints", async () => {
    const r = await ft(["--pattern", SHIPPED, "--records", modify, "--view-type", "keys-only", "--json"]);
    const w = json(r).warnings.find((x) => x.code === "ddb-image-not-in-view");
    assert.ok(w, r.stdout);
    assert.match(w.message, /KEYS_ONLY does not carry NewImage/);
  });
  test("duplicate keys: one warning; unconfirmed operators warn in the lambda dialect", async () => {
    const r = await ft([
      "--pattern",
      '{"eventName":["INSERT"],"eventName":["MODIFY"]}',
      "--pattern",
      '{"dynamodb":{"Keys":{"pk":{"S":[{"wildcard":"ORDER#*"}]}}}}',
      "--records",
      modify,
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const codes = json(r).warnings.map((w) => `${w.filter}:${w.code}`);
    assert.equal(codes.filter((c) => c === "0:duplicate-key").length, 1, codes.join());
    assert.ok(codes.includes("1:lambda-unconfirmed-operator"), codes.join());
    assert.match(r.stderr, /Duplicate key "eventName"/);
  });
  test("more than 5 filters warn; more than 10 are an error", async () => {
    const six = Array.from({ length: 6 }, () => ["--pattern", SHIPPED]).flat();
    const a = await ft([...six, "--records", modify]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stderr, /warning: 6 filters given; an event source mapping accepts 5 by default/);
    const eleven = Array.from({ length: 11 }, () => ["--pattern", SHIPPED]).flat();
    const b = await ft([...eleven, "--records", modify]);
    assert.equal(b.code, 2);
    assert.match(
      b.stderr,
      /error: invalid filter criteria: 11 filters given; an event source mapping accepts at most 5 \(10 with a quota increase\)/,
    );
  });
});

describe("invalid patterns (exit 2)", () => {
  test("the precise reason with line and column, and Lambda's own answer", async () => {
    const p = file("bad-pattern.json", '{\n  "dynamodb": {\n    "NewImage": {"status": {"S": []}}\n  }\n}\n');
    const r = await ft(["--pattern", `@${p}`, "--records", modify]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /error: invalid filter pattern: filter #1 \(.*bad-pattern\.json\), line 3, column \d+, at dynamodb\.NewImage\.status\.S: Empty arrays are not allowed/,
    );
    assert.match(r.stderr, /Lambda itself only answers "Invalid filter pattern definition\."/);
    assert.equal(r.stdout, "");
  });
  test("malformed JSON: line and column once", async () => {
    const r = await ft(["--pattern", '{"eventName":\n  ["INSERT",]}', "--records", modify]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /filter #1 \(--pattern 1\), line 2, column 13: Unexpected character/);
    assert.doesNotMatch(r.stderr, /at line 2, column 13/);
  });
  test("--json: the errors as data on stdout", async () => {
    const r = await ft(["--pattern", SHIPPED, "--pattern", '{"a":"b"}', "--records", modify, "--json"]);
    assert.equal(r.code, 2);
    const j = json(r);
    assert.equal(j.valid, false);
    assert.equal(j.errors?.[0]?.filter, 1);
    assert.equal(j.errors?.[0]?.code, "leaf-not-array");
    assert.match(j.errors?.[0]?.message ?? "", /"a" must be an object or an array/);
  });
  test("an operator Lambda does not support: exit 2 with the --dialect eventbridge hint", async () => {
    const p = '{"dynamodb":{"NewImage":{"status":{"S":[{"anything-but":{"prefix":"ship"}}]}}}}';
    const r = await ft(["--pattern", p, "--records", modify]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /does not support "anything-but" with "prefix"/);
    assert.match(r.stderr, /hint: .*--dialect eventbridge/);
    const eb = await ft(["--pattern", p, "--records", modify, "--dialect", "eventbridge", "--json"]);
    assert.equal(eb.code, 1, eb.stderr);
    assert.equal(json(eb).dialect, "eventbridge");
    assert.match(json(eb).results?.[0]?.reason ?? "", /shipped/);
  });
});

describe("--expect", () => {
  const both = file(
    "expect.ndjson",
    `${JSON.stringify(record("1"))}\n${JSON.stringify(record("2", { eventName: "INSERT" }))}\n`,
  );
  test("every record agrees: exit 0", async () => {
    const r = await ft(["--pattern", SHIPPED, "--records", both, "--expect", "match"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /every record agrees with --expect match/);
    const n = await ft(["--pattern", '{"eventName":["REMOVE"]}', "--records", both, "--expect", "no-match"]);
    assert.equal(n.code, 0, n.stderr);
  });
  test("a record disagrees: exit 1 naming it and why", async () => {
    const r = await ft(["--pattern", INSERT, "--records", both, "--expect", "match", "--no-explain"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /#1 {2}no match .*✗ expected match/);
    assert.match(
      r.stderr,
      /error: --expect match: 1 of 2 records disagree: record #1 \(MODIFY \{"pk":"ORDER#1"\}\) matched no filter, expected match: eventName: "MODIFY" is not one of \["INSERT"\]/,
    );
    const j = json(await ft(["--pattern", INSERT, "--records", both, "--expect", "no-match", "--json"]));
    assert.equal(j.expect, "no-match");
    assert.equal(j.disagreeing, 1);
  });
});

describe("--cases", () => {
  const ins = record("1", { eventName: "INSERT" });
  const mod = record("2");
  const suite = {
    criteria: { Filters: [{ Pattern: INSERT }] },
    cases: [
      { name: "an insert is delivered", record: ins, expect: "match" },
      { name: "a modify is filtered out", records: [mod], expect: "no-match" },
    ],
  };
  test("all pass: ✓ per case, summary, exit 0", async () => {
    const r = await ft(["--cases", file("pass.json", suite)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "✓ an insert is delivered\n✓ a modify is filtered out\n\n2 passed, 0 failed\n");
  });
  test("a failure: ✗ with the reason, exit 1; JSON variant", async () => {
    const failing = {
      patterns: [INSERT],
      cases: [...suite.cases, { name: "modify delivered?", record: { Records: [mod] }, expect: "match" }],
    };
    const f = file("fail.json", failing);
    const r = await ft(["--cases", f]);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /✗ modify delivered\?\n {4}expected match: MODIFY \{"pk":"ORDER#2"\} matched no filter\n {6}eventName: "MODIFY" is not one of \["INSERT"\]\n/,
    );
    assert.match(r.stdout, /2 passed, 1 failed\n$/);
    const j = JSON.parse((await ft(["--cases", f, "--json"])).stdout) as {
      cases: { name: string; passed: boolean; results: { matched: boolean; reason: string | null }[] }[];
      passed: number;
      failed: number;
    };
    assert.deepEqual([j.passed, j.failed], [2, 1]);
    assert.equal(j.cases[2]?.passed, false);
    assert.match(j.cases[2]?.results[0]?.reason ?? "", /is not one of/);
  });
  test("criteria in a file next to the suite; command-line patterns take precedence", async () => {
    file("suite-criteria.json", { Filters: [{ Pattern: INSERT }] });
    const f = file("suite-with-path.json", { ...suite, criteria: "suite-criteria.json" });
    const r = await ft(["--cases", f]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const o = await ft(["--cases", f, "--pattern", SHIPPED]);
    assert.equal(o.code, 1);
    assert.match(o.stderr, /using the patterns given on the command line/);
  });
  test("a bad suite: exit 2 naming the case", async () => {
    const f = file("bad-suite.json", {
      patterns: [INSERT],
      cases: [{ name: "x", record: ins, expect: "yes" }],
    });
    const r = await ft(["--cases", f]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cases\[0\] "x": "expect" must be "match" or "no-match"/);
  });
});

describe("bad inputs (exit 2)", () => {
  const latin1 = file(
    "latin1.json",
    Buffer.from('{"Filters":[{"Pattern":"{\\"a\\":[\\"caf\xe9\\"]}"}]}', "latin1"),
  );
  test("missing, empty, not JSON, not UTF-8: --records", async () => {
    const cases: [string, RegExp][] = [
      [join(dir, "missing.ndjson"), /cannot read --records .*missing\.ndjson: no such file/],
      [file("empty.ndjson", ""), /--records .*empty\.ndjson is empty/],
      [file("text.txt", "hello\nworld\n"), /--records .*text\.txt is not valid JSON: .*line 1, column 1/],
      [
        file("latin1.ndjson", Buffer.from(`${JSON.stringify(record("1"))}\n{"s":"caf\xe9"}\n`, "latin1")),
        /is not UTF-8 text: invalid byte 0xe9 at byte offset \d+ \(line 2\)/,
      ],
      [file("notrecord.json", { Item: { pk: { S: "x" } } }), /looks like an item, not a stream record/],
      [file("badline.ndjson", `${JSON.stringify(record("1"))}\n{"x":\n`), /line 2: invalid JSON/],
    ];
    for (const [path, re] of cases) {
      const r = await ft(["--pattern", SHIPPED, "--records", path]);
      assert.equal(r.code, 2, `${path}: ${r.stdout} ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stdout, /filtered out/, "no summary after an input error");
    }
  });
  test("--criteria and --cases files", async () => {
    const cases: [string[], RegExp][] = [
      [["--criteria", join(dir, "nope.json")], /cannot read --criteria .*nope\.json: no such file/],
      [["--criteria", file("empty-c.json", " \n")], /--criteria .*empty-c\.json is empty/],
      [["--criteria", file("notjson-c.json", "Filters: []")], /is not valid JSON/],
      [["--criteria", latin1], /--criteria .*latin1\.json is not UTF-8 text/],
      [["--criteria", file("shape-c.json", { filter: 1 })], /not a FilterCriteria document/],
      [["--cases", join(dir, "nope-cases.json")], /cannot read --cases/],
      [["--cases", file("empty-cases.json", "")], /--cases .* is empty/],
      [
        ["--cases", file("notjson-cases.json", "{cases}")],
        /--cases .* is not valid JSON: .*line 1, column 2/,
      ],
      [["--pattern", `@${join(dir, "nope-pattern.json")}`], /cannot read --pattern @/],
    ];
    for (const [args, re] of cases) {
      const r = await ft(args[0] === "--cases" ? args : [...args, "--records", modify]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  });
  test("--json stays a valid document when the input fails half-way", async () => {
    const f = file("half.ndjson", `${JSON.stringify(record("1"))}\n${JSON.stringify({ nope: 1 })}\n`);
    const r = await ft(["--pattern", SHIPPED, "--records", f, "--json"]);
    assert.equal(r.code, 2);
    const j = json(r);
    assert.equal(j.total, 1);
    assert.match(j.error ?? "", /line 2: not a DynamoDB stream record/);
    assert.match(r.stderr, /error: --records .*half\.ndjson: line 2: not a DynamoDB stream record/);
  });
  test("flag mistakes", async () => {
    for (const args of [
      ["--records", modify],
      ["--pattern", SHIPPED, "--dialect", "sqs"],
      ["--pattern", SHIPPED, "--expect", "maybe", "--records", modify],
      ["--function", "f", "--pattern", SHIPPED],
      ["--pattern", SHIPPED, "--records", modify, "--output", "table"],
    ]) {
      const r = await ft(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /^error: /);
    }
  });
});

describe("start-up", () => {
  test("filter-test does not import the AWS SDK without --function / --from-stream", () => {
    const cases = file("lazy-cases.json", {
      patterns: [INSERT],
      cases: [{ name: "x", record: record("1"), expect: "no-match" }],
    });
    for (const args of [
      ["filter-test", "--pattern", SHIPPED, "--records", modify],
      ["filter-test", "--pattern", SHIPPED, "--records", modify, "--json"],
      ["filter-test", "--cases", cases],
      ["filter-test", "--help"],
    ]) {
      const r = runWithSdkProbe(args);
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /LOADED/, args.join(" "));
    }
  });
});

test("the example insert record file matches INSERT", async () => {
  const r = await ft(["--pattern", INSERT, "--records", insert]);
  assert.equal(r.code, 0, r.stderr);
});
