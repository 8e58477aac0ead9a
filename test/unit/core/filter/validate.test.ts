// Validation: each error with its code and (where AWS gives one) event-ruler's exact reason.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type CompilePatternResult,
  compilePattern,
  type Diagnostic,
  type Dialect,
  LAMBDA_INVALID_MESSAGE,
  LAMBDA_VALIDATION_NOTE,
  MAX_PATTERN_LENGTH,
} from "../../../../src/core/filter/index.js";

function errorsOf(text: string, dialect: Dialect = "eventbridge"): Diagnostic[] {
  const r: CompilePatternResult = compilePattern(text, { dialect });
  assert.equal(r.ok, false, `expected ${text} to be rejected`);
  return r.ok ? [] : r.errors;
}

function firstError(text: string, dialect: Dialect = "eventbridge"): Diagnostic {
  const e = errorsOf(text, dialect)[0];
  assert.ok(e !== undefined);
  return e;
}

function warningsOf(text: string, dialect: Dialect = "lambda"): Diagnostic[] {
  const r = compilePattern(text, { dialect });
  assert.ok(r.ok, r.ok ? "" : JSON.stringify(r.errors));
  return r.ok ? r.pattern.warnings : [];
}

describe("malformed JSON", () => {
  test("reports line and column", () => {
    const e = firstError('{\n  "a": ["x",\n  ]\n}');
    assert.equal(e.code, "json-syntax");
    assert.equal(e.line, 3);
    assert.equal(e.column, 3);
    assert.match(e.message, / at line 3, column 3$/);
  });
  test("uses Jackson's wording (EventBridge's reason)", () => {
    assert.ok(
      firstError("this is not json").message.startsWith(
        "Unrecognized token 'this': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
      ),
    );
    assert.ok(
      firstError("{'bad': 1}").message.startsWith(
        "Unexpected character (''' (code 39)): was expecting double-quote to start field name",
      ),
    );
    assert.ok(
      firstError('{"a" ["x"]}').message.startsWith(
        "Unexpected character ('[' (code 91)): was expecting a colon",
      ),
    );
    assert.ok(
      firstError('{"a": ["x"] "b": ["y"]}').message.includes(
        "was expecting comma to separate Object entries",
      ),
    );
    assert.ok(
      firstError('{"a": ["x" "y"]}').message.includes("was expecting comma to separate Array entries"),
    );
    assert.ok(
      firstError('{"a": ["x"]').message.startsWith(
        "Unexpected end-of-input: expected close marker for Object",
      ),
    );
    assert.ok(firstError("").message.startsWith("Unexpected end-of-input"));
  });
  test("rejects what strict JSON rejects", () => {
    for (const bad of [
      '{"a": [01]}',
      '{"a": [1.]}',
      '{"a": [.5]}',
      '{"a": ["\\x"]}',
      '{"a": ["a\nb"]}',
      '{"a": [NaN]}',
      '{"a": ["x"]} x',
    ]) {
      assert.equal(firstError(bad).code, "json-syntax", bad);
    }
  });
  test("accepts escapes and unicode", () => {
    const r = compilePattern('{"a": ["\\u00e9\\n\\"\\/"], "b": ["😀"]}');
    assert.ok(r.ok);
    assert.equal(r.ok && r.pattern.match({ a: 'é\n"/', b: "😀" }), true);
  });
});

describe("structure", () => {
  test("the pattern must be an object", () => {
    for (const t of ["null", "[1]", '"s"', "5"]) {
      const e = firstError(t);
      assert.equal(e.code, "not-an-object");
      assert.equal(e.message, "Filter is not an object");
    }
  });
  test("leaves must be arrays", () => {
    const e = firstError('{"detail": {"state": "running"}}');
    assert.equal(e.code, "leaf-not-array");
    assert.equal(e.message, '"state" must be an object or an array');
    assert.equal(e.path, "detail.state");
    assert.equal(firstError('{"n": 42}').message, '"n" must be an object or an array');
    assert.equal(firstError('{"n": null}').code, "leaf-not-array");
  });
  test("empty arrays and empty objects", () => {
    const e = firstError('{"a": []}');
    assert.deepEqual([e.code, e.message, e.path], ["empty-array", "Empty arrays are not allowed", "a"]);
    assert.equal(firstError('{"a": {}}').message, "Empty objects are not allowed");
    assert.equal(firstError("{}").code, "empty-object");
  });
  test("nested arrays are not match values", () => {
    assert.equal(
      firstError('{"a": [["x"]]}').message,
      "Match value must be String, number, true, false, or null",
    );
  });
  test("all errors are collected, in document order", () => {
    const errs = errorsOf('{"a": [], "b": "x", "c": [{"prefix": 1}]}');
    assert.deepEqual(
      errs.map((e) => e.path),
      ["a", "b", "c"],
    );
  });
  test("patterns over 4096 characters", () => {
    const long = JSON.stringify({ a: ["x".repeat(MAX_PATTERN_LENGTH)] });
    const e = errorsOf(long).find((d) => d.code === "pattern-too-long");
    assert.ok(e);
    assert.match(e.message, /4096/);
    const exact = `{"a":["${"x".repeat(MAX_PATTERN_LENGTH - 10)}"]}`;
    assert.equal(exact.length, MAX_PATTERN_LENGTH);
    assert.ok(compilePattern(exact).ok);
  });
  test("$or must be an array of at least two objects", () => {
    assert.equal(firstError('{"$or": {"a": ["x"]}}').message, "It must be an Array followed with $or.");
    assert.equal(
      firstError('{"$or": [{"a": ["x"]}]}').message,
      "There must have at least 2 Objects in $or relationship.",
    );
    assert.equal(
      firstError('{"$or": ["a", "b"]}').message,
      "Only JSON object is allowed in array of $or relationship.",
    );
    assert.equal(
      firstError('{"$or": [{"prefix": ["x"]}, {"b": ["y"]}]}').message,
      "prefix is Ruler reserved fieldName which cannot be used inside $or.",
    );
  });
});

describe("operators", () => {
  const cases: [string, string][] = [
    ['{"a": [{"NUMERIC": [">", 1]}]}', "Unrecognized match type NUMERIC"],
    ['{"a": [{}]}', "Match expression name not found"],
    ['{"a": [{"prefix": 1}]}', "prefix match pattern must be a string"],
    ['{"a": [{"prefix": "x", "suffix": "y"}]}', "Only one key allowed in match expression"],
    ['{"a": [{"prefix": {"foo": "x"}}]}', "Unsupported prefix pattern: foo"],
    ['{"a": [{"suffix": ["x"]}]}', "suffix match pattern must be a string"],
    ['{"a": [{"suffix": {"equals-ignore-case": 1}}]}', "equals-ignore-case match pattern must be a string"],
    ['{"a": [{"equals-ignore-case": ["x"]}]}', "equals-ignore-case match pattern must be a string"],
    ['{"a": [{"exists": "yes"}]}', "exists match pattern must be either true or false."],
    ['{"a": [{"wildcard": 1}]}', "wildcard match pattern must be a string"],
    ['{"a": [{"wildcard": "a**b"}]}', "Consecutive wildcard characters at pos 2"],
    ['{"a": [{"wildcard": "a\\\\b"}]}', "Invalid escape character at pos 2"],
    [
      '{"a": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}',
      "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character",
    ],
    [
      '{"a": [{"anything-but": null}]}',
      "Value of anything-but must be an array or single string/number value.",
    ],
    [
      '{"a": [{"anything-but": ["x", null]}]}',
      "Inside anything but list, start|null|boolean is not supported.",
    ],
    [
      '{"a": [{"anything-but": ["x", 1]}]}',
      "Inside anything but list, either all values are number or string, mixed type is not supported",
    ],
    [
      '{"a": [{"anything-but": []}]}',
      "Inside anything but list, either all values are number or string, mixed type is not supported",
    ],
    ['{"a": [{"anything-but": {"foo": "x"}}]}', "Unsupported anything-but pattern: foo"],
    ['{"a": [{"anything-but": {"prefix": ""}}]}', "Null prefix/suffix not allowed"],
    ['{"a": [{"anything-but": {"suffix": 5}}]}', "prefix/suffix match pattern must be a string"],
    [
      '{"a": [{"anything-but": {"equals-ignore-case": [1]}}]}',
      "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
    ],
    ['{"a": [{"anything-but": {"wildcard": ["a**"]}}]}', "Consecutive wildcard characters at pos 2"],
    ['{"a": [{"cidr": 10}]}', "prefix match pattern must be a string"],
  ];
  for (const [text, message] of cases) {
    test(message, () => {
      const e = firstError(text);
      assert.equal(e.message, message);
      assert.equal(e.path, "a");
      assert.equal(e.level, "error");
      assert.equal(typeof e.line, "number");
    });
  }
});

describe("numeric ranges", () => {
  const cases: [string, string][] = [
    ['{"n": [{"numeric": 5}]}', "Value of numeric must be an array."],
    ['{"n": [{"numeric": []}]}', "Invalid member in numeric match: ]"],
    ['{"n": [{"numeric": [5]}]}', "Invalid member in numeric match: 5"],
    ['{"n": [{"numeric": ["!=", 5]}]}', "Unrecognized numeric range operator: !="],
    ['{"n": [{"numeric": ["=", "5"]}]}', "Value of equals must be numeric"],
    ['{"n": [{"numeric": ["<", 5, ">", 1]}]}', "Too many elements in numeric expression"],
    ['{"n": [{"numeric": [">", 0, ">", 0]}]}', "Bad numeric range operator: >"],
    ['{"n": [{"numeric": [">", 0, "<"]}]}', "Value of < must be numeric"],
    ['{"n": [{"numeric": [">", 0, 5]}]}', "Bad value in numeric range: 5"],
    ['{"n": [{"numeric": [">", 0, "<", 5, 6]}]}', "Too many terms in numeric range expression"],
    ['{"n": [{"numeric": [">", 5, "<", 1]}]}', "Bottom must be less than top"],
  ];
  for (const [text, message] of cases) {
    test(message, () => {
      const e = firstError(text);
      assert.equal(e.code, "invalid-numeric");
      assert.equal(e.message, message);
    });
  }
});

describe("cidr", () => {
  const cases: [string, string][] = [
    ["10.0.0.0", "Malformed CIDR, one '/' required"],
    ["10.0.0.0/x", "Malformed CIDR, mask bits must be an integer"],
    ["10.0.0.0/-1", "Malformed CIDR, mask bits must not be negative"],
    ["10.0.0.0/32", "IPv4 mask bits must be < 32"],
    ["::/128", "IPv6 mask bits must be < 128"],
    ["host.example/8", "Nonstandard IP address: host.example"],
    ["10.0.0.300/8", "Invalid IP address: 10.0.0.300"],
    ["1:2:3/64", "Invalid IP address: 1:2:3"],
  ];
  for (const [cidr, message] of cases) {
    test(`${cidr}: ${message}`, () => {
      const e = firstError(JSON.stringify({ ip: [{ cidr }] }));
      assert.equal(e.code, "invalid-cidr");
      assert.equal(e.message, message);
    });
  }
  test("host bits set give a warning", () => {
    const w = warningsOf('{"ip": [{"cidr": "10.0.0.5/24"}]}', "eventbridge");
    assert.deepEqual(
      w.map((d) => d.code),
      ["cidr-host-bits"],
    );
  });
});

describe("lambda dialect", () => {
  for (const form of ["prefix", "suffix", "equals-ignore-case", "wildcard"]) {
    test(`anything-but ${form} is an error naming the operator`, () => {
      const text = JSON.stringify({ a: [{ "anything-but": { [form]: "x" } }] });
      const errs = errorsOf(text, "lambda");
      assert.equal(errs.length, 1);
      assert.equal(errs[0]!.code, "lambda-unsupported-operator");
      assert.ok(errs[0]!.message.includes('"anything-but"'));
      assert.ok(errs[0]!.message.includes(`"${form}"`));
      assert.ok(compilePattern(text, { dialect: "eventbridge" }).ok, "accepted by EventBridge");
    });
  }
  test("the default dialect is lambda", () => {
    assert.equal(compilePattern('{"a": [{"anything-but": {"prefix": "x"}}]}').ok, false);
    const r = compilePattern('{"a": ["x"]}');
    assert.ok(r.ok);
    assert.equal(r.ok && r.pattern.dialect, "lambda");
  });
  for (const [name, text] of [
    ["wildcard", '{"a": [{"wildcard": "x*"}]}'],
    ["cidr", '{"a": [{"cidr": "10.0.0.0/8"}]}'],
    ["prefix equals-ignore-case", '{"a": [{"prefix": {"equals-ignore-case": "x"}}]}'],
    ["suffix equals-ignore-case", '{"a": [{"suffix": {"equals-ignore-case": "x"}}]}'],
  ]) {
    test(`${name} is evaluated with a warning`, () => {
      const w = warningsOf(text!, "lambda");
      assert.deepEqual(
        w.map((d) => d.code),
        ["lambda-unconfirmed-operator"],
      );
      assert.deepEqual(warningsOf(text!, "eventbridge"), []);
    });
  }
  test("documented operators give no warning", () => {
    const text = JSON.stringify({
      a: ["x", 1, true, null, "", { "equals-ignore-case": "x" }, { prefix: "p" }, { suffix: "s" }],
      b: [{ "anything-but": ["x"] }, { numeric: [">", 0, "<", 10] }, { exists: true }],
      $or: [{ c: ["1"] }, { d: ["2"] }],
    });
    assert.deepEqual(warningsOf(text, "lambda"), []);
  });
  test("numeric operands beyond older event-ruler limits give a warning", () => {
    assert.equal(warningsOf('{"n": [{"numeric": [">", 6e9]}]}')[0]?.code, "numeric-precision");
    assert.equal(warningsOf('{"n": [{"numeric": ["<", 0.1234567]}]}')[0]?.code, "numeric-precision");
    assert.deepEqual(warningsOf('{"n": [{"numeric": ["<", 0.123456]}]}'), []);
  });
  test("Lambda's own message is exported", () => {
    assert.equal(LAMBDA_INVALID_MESSAGE, "Invalid filter pattern definition.");
    assert.ok(LAMBDA_VALIDATION_NOTE.includes(LAMBDA_INVALID_MESSAGE));
  });
});

describe("duplicate keys", () => {
  test("warning with both positions", () => {
    const w = warningsOf('{\n"a": ["1"],\n"a": ["2"]\n}', "eventbridge");
    assert.equal(w.length, 1);
    assert.equal(w[0]!.code, "duplicate-key");
    assert.equal(w[0]!.line, 3);
    assert.match(w[0]!.message, /at 2:1 and 3:1/);
  });
  test("duplicate operator keys inside a rule are last-wins too", () => {
    const r = compilePattern('{"a": [{"prefix": "x", "prefix": "y"}]}', { dialect: "eventbridge" });
    assert.ok(r.ok);
    assert.equal(r.ok && r.pattern.match({ a: "yes" }), true);
  });
  test("errors of invalid patterns come with the warnings", () => {
    const r = compilePattern('{"a": ["1"], "a": []}', { dialect: "eventbridge" });
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.errors[0]!.code, "empty-array");
      assert.equal(r.warnings[0]!.code, "duplicate-key");
    }
  });
});

test("never throws on hostile input", () => {
  const inputs = ["[".repeat(5000), '{"a":'.repeat(3000), "\u0000", '{"a": ["\\ud800"]}', "{".repeat(10)];
  for (const t of inputs) {
    const r = compilePattern(t);
    assert.equal(typeof r.ok, "boolean");
  }
});

describe("paths given twice", () => {
  test("inside and outside $or: the later one applies, with a warning", () => {
    const r = compilePattern('{"a": ["1"], "$or": [{"a": ["2"]}, {"b": ["3"]}]}', { dialect: "eventbridge" });
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.deepEqual(
      r.pattern.warnings.map((w) => [w.code, w.path]),
      [["path-overridden", "a"]],
    );
    assert.equal(r.pattern.match({ a: "2" }), true, "branch 1: a = 2 replaced a = 1");
    assert.equal(r.pattern.match({ a: "1", b: "3" }), true, "branch 2 keeps a = 1");
    assert.equal(r.pattern.match({ a: "1" }), false);
  });
  test("a dotted key and the same nested path", () => {
    const w = warningsOf('{"x.y": ["1"], "x": {"y": ["2"]}}', "eventbridge");
    assert.deepEqual(
      w.map((d) => d.code),
      ["path-overridden"],
    );
  });
  test("sibling $or branches do not override each other", () => {
    assert.deepEqual(warningsOf('{"$or": [{"a": ["1"]}, {"a": ["2"]}]}', "eventbridge"), []);
  });
});
