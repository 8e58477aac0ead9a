// DynamoDB lints.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  compilePattern,
  type Diagnostic,
  lintDynamoDB,
  type StreamViewType,
} from "../../../../src/core/filter/index.js";

function lint(pattern: unknown, viewType?: StreamViewType): Diagnostic[] {
  const text = typeof pattern === "string" ? pattern : JSON.stringify(pattern);
  return lintDynamoDB(text, viewType === undefined ? {} : { viewType });
}

function codes(pattern: unknown, viewType?: StreamViewType): string[] {
  return lint(pattern, viewType).map((d) => d.code);
}

describe("lintDynamoDB", () => {
  test("a correct DynamoDB filter has no lint", () => {
    const p = {
      eventName: ["INSERT", "MODIFY"],
      dynamodb: {
        ApproximateCreationDateTime: [{ numeric: [">", 0] }],
        Keys: { pk: { S: [{ prefix: "ORDER#" }] } },
        NewImage: {
          status: { S: ["pending"] },
          total: { N: ["42", { prefix: "1" }] },
          flag: { BOOL: [true] },
          gone: { NULL: [true] },
          tags: { SS: ["a"] },
          orgs: { L: { S: [{ exists: true }] } },
          addr: { M: { city: { S: ["Paris"] } } },
          note: { S: [{ exists: false }] },
        },
        OldImage: { status: { S: [{ "anything-but": "pending" }] } },
      },
    };
    assert.deepEqual(lint(p, "NEW_AND_OLD_IMAGES"), []);
  });

  test("numeric under N / NS", () => {
    const d = lint({ dynamodb: { NewImage: { total: { N: [{ numeric: [">", 100] }] } } } });
    assert.equal(d.length, 1);
    assert.equal(d[0]!.code, "ddb-numeric-on-number");
    assert.equal(d[0]!.level, "warning");
    assert.equal(d[0]!.path, "dynamodb.NewImage.total.N");
    assert.match(d[0]!.message, /strings/);
    assert.deepEqual(codes({ dynamodb: { Keys: { ids: { NS: [{ numeric: ["=", 1] }] } } } }), [
      "ddb-numeric-on-number",
    ]);
  });

  test("attribute pattern missing its type descriptor", () => {
    const d = lint({ dynamodb: { NewImage: { status: ["x"] } } });
    assert.deepEqual(
      d.map((x) => [x.code, x.path]),
      [["ddb-missing-type-descriptor", "dynamodb.NewImage.status"]],
    );
    assert.match(d[0]!.message, /\{"status":\{"S":\["x"\]\}\}/);
    assert.deepEqual(codes({ dynamodb: { Keys: { id: { value: ["x"] } } } }), [
      "ddb-missing-type-descriptor",
    ]);
    assert.deepEqual(codes({ dynamodb: { NewImage: ["x"] } }), ["ddb-missing-type-descriptor"]);
    assert.deepEqual(codes({ dynamodb: { NewImage: { a: { M: { b: ["x"] } } } } }), [
      "ddb-missing-type-descriptor",
    ]);
  });

  test("exists on an attribute node", () => {
    const d = lint({ dynamodb: { NewImage: { presentKey: [{ exists: false }] } } });
    assert.deepEqual(
      d.map((x) => x.code),
      ["ddb-exists-on-attribute"],
    );
    assert.match(d[0]!.message, /exists:false always matches/);
    assert.deepEqual(codes({ dynamodb: { OldImage: { k: [{ exists: true }, "v"] } } }), [
      "ddb-exists-on-attribute",
      "ddb-missing-type-descriptor",
    ]);
  });

  test("value types that never occur under a descriptor", () => {
    assert.deepEqual(codes({ dynamodb: { NewImage: { n: { N: [42] } } } }), ["ddb-value-type"]);
    assert.match(lint({ dynamodb: { NewImage: { n: { N: [42] } } } })[0]!.message, /use "42" instead of 42/);
    assert.deepEqual(codes({ dynamodb: { NewImage: { b: { BOOL: ["true"] } } } }), ["ddb-value-type"]);
    assert.deepEqual(codes({ dynamodb: { NewImage: { z: { NULL: [false] } } } }), ["ddb-value-type"]);
    assert.deepEqual(codes({ dynamodb: { NewImage: { s: { S: ["x"], N: ["1"] } } } }), []);
  });

  test("containers and paths below scalar descriptors", () => {
    assert.deepEqual(codes({ dynamodb: { NewImage: { m: { M: [{ exists: true }] } } } }), [
      "ddb-operator-on-container",
    ]);
    assert.deepEqual(codes({ dynamodb: { NewImage: { l: { L: ["x"] } } } }), ["ddb-operator-on-container"]);
    assert.deepEqual(codes({ dynamodb: { NewImage: { s: { S: { x: ["y"] } } } } }), [
      "ddb-path-below-scalar",
    ]);
  });

  test("body / data keys of other event sources", () => {
    assert.deepEqual(codes({ body: { a: ["b"] } }), ["ddb-foreign-source-key"]);
    const d = lint({ data: { a: ["b"] }, eventName: ["INSERT"] });
    assert.deepEqual(
      d.map((x) => [x.code, x.path]),
      [["ddb-foreign-source-key", "data"]],
    );
    assert.match(d[0]!.message, /Kinesis/);
  });

  test("images the stream's view type does not carry", () => {
    const p = {
      dynamodb: { NewImage: { a: { S: ["1"] } }, OldImage: { a: { S: ["2"] } }, Keys: { k: { S: ["x"] } } },
    };
    assert.deepEqual(
      lint(p, "KEYS_ONLY").map((d) => [d.code, d.path]),
      [
        ["ddb-image-not-in-view", "dynamodb.NewImage"],
        ["ddb-image-not-in-view", "dynamodb.OldImage"],
      ],
    );
    assert.deepEqual(
      lint(p, "NEW_IMAGE").map((d) => d.path),
      ["dynamodb.OldImage"],
    );
    assert.deepEqual(
      lint(p, "OLD_IMAGE").map((d) => d.path),
      ["dynamodb.NewImage"],
    );
    assert.deepEqual(lint(p, "NEW_AND_OLD_IMAGES"), []);
    assert.deepEqual(lint(p), [], "no view type, no view lint");
    const absent = lint({ dynamodb: { OldImage: { a: { S: [{ exists: false }] } } } }, "NEW_IMAGE");
    assert.match(absent[0]!.message, /always matches/);
  });

  test("duplicate keys, including the repeated dynamodb key of the Lambda guide", () => {
    const text =
      '{"dynamodb":{"NewImage":{"AccountManager":{"S":["Pat Candella"]}}},\n "dynamodb":{"OldImage":{"AccountManager":{"S":["Terry Whitlock"]}}}}';
    const d = lint(text);
    assert.deepEqual(
      d.map((x) => [x.code, x.path, x.line]),
      [["duplicate-key", "dynamodb", 2]],
    );
    assert.match(d[0]!.message, /one "dynamodb" object/);
    assert.deepEqual(codes('{"eventName":["INSERT"],"eventName":["MODIFY"]}'), ["duplicate-key"]);
  });

  test("eventSource / awsRegion matching is unconfirmed", () => {
    assert.deepEqual(
      codes({
        eventSource: ["aws:dynamodb"],
        awsRegion: ["eu-west-1"],
        eventSourceARN: [{ prefix: "arn:" }],
      }),
      ["ddb-unconfirmed-metadata", "ddb-unconfirmed-metadata", "ddb-unconfirmed-metadata"],
    );
  });

  test("fields that DynamoDB stream records do not have", () => {
    const d = lint({ NewImage: { a: { S: ["x"] } } });
    assert.equal(d[0]!.code, "ddb-unknown-field");
    assert.match(d[0]!.message, /did you mean dynamodb\.NewImage/);
    assert.deepEqual(codes({ dynamodb: { NewImages: { a: { S: ["x"] } } } }), ["ddb-unknown-field"]);
  });

  test("lints every $or branch and dotted keys", () => {
    assert.deepEqual(
      codes({ $or: [{ eventName: ["INSERT"] }, { "dynamodb.NewImage.total.N": [{ numeric: [">", 1] }] }] }),
      ["ddb-numeric-on-number"],
    );
  });

  test("accepts a compiled pattern; an invalid text yields its compile diagnostics", () => {
    const r = compilePattern('{"dynamodb":{"NewImage":{"s":["x"]}}}');
    assert.ok(r.ok);
    if (r.ok)
      assert.deepEqual(
        lintDynamoDB(r.pattern).map((d) => d.code),
        ["ddb-missing-type-descriptor"],
      );
    const bad = lintDynamoDB('{"a": []}');
    assert.deepEqual(
      bad.map((d) => [d.level, d.code]),
      [["error", "empty-array"]],
    );
    const lambdaOnly = lintDynamoDB('{"a": [{"anything-but": {"prefix": "x"}}]}');
    assert.equal(lambdaOnly[0]!.code, "lambda-unsupported-operator");
    assert.deepEqual(
      lintDynamoDB('{"a": [{"anything-but": {"prefix": "x"}}]}', { dialect: "eventbridge" }).map(
        (d) => d.code,
      ),
      ["ddb-unknown-field"],
    );
  });
});
