// Conformance: every case of test/fixtures/filter-corpus.json (296 cases, 215 recorded against
// real AWS) in both dialects, one test per case, as test/fixtures/filter-corpus.ATTRIBUTION.md says:
// - eventbridge: every case gives its `expect` (invalid => compile error, with AWS's reason);
// - lambda: lambdaSupported true => `expect`; false => rejected as unsupported, naming the operator;
//   "unknown" => evaluated with a warning.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  type CompilePatternResult,
  compileCriteria,
  compilePattern,
  type Dialect,
  LAMBDA_INVALID_MESSAGE,
} from "../../../../src/core/filter/index.js";

interface CorpusCase {
  id: string;
  expect: "match" | "no-match" | "invalid";
  lambdaSupported: true | false | "unknown";
  patternText: string;
  eventText: string;
  awsError?: { Code: string; Message: string };
  filterCriteria?: { Filters: { Pattern: string }[] };
}

const corpus = JSON.parse(
  readFileSync(new URL("../../../fixtures/filter-corpus.json", import.meta.url), "utf8"),
) as CorpusCase[];

const EB_PREFIX = "Event pattern is not valid. Reason: ";

/** The anything-but object forms a pattern uses (`prefix`, `suffix`, ...). */
function anythingButForms(text: string): string[] {
  const forms: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object" && v !== null) {
      for (const [k, val] of Object.entries(v)) {
        if (k === "anything-but" && typeof val === "object" && val !== null && !Array.isArray(val)) {
          forms.push(...Object.keys(val));
        }
        walk(val);
      }
    }
  };
  walk(JSON.parse(text));
  return forms;
}

function assertInvalid(c: CorpusCase, r: CompilePatternResult): void {
  assert.equal(r.ok, false, "pattern should be rejected");
  if (r.ok) return;
  assert.ok(r.errors.length > 0);
  for (const e of r.errors) assert.equal(e.level, "error");
  const err = c.awsError;
  assert.ok(err !== undefined, "corpus records the AWS error");
  if (err.Code === "InvalidEventPatternException") {
    assert.ok(err.Message.startsWith(EB_PREFIX));
    const reason = err.Message.slice(EB_PREFIX.length);
    // JSON syntax errors carry " at line L, column C" after AWS's reason.
    assert.ok(
      r.errors[0]!.message.startsWith(reason),
      `first error ${JSON.stringify(r.errors[0]!.message)} should start with AWS's reason ${JSON.stringify(reason)}`,
    );
  } else {
    assert.equal(err.Code, "InvalidParameterValueException");
    assert.equal(err.Message, LAMBDA_INVALID_MESSAGE);
  }
}

function assertVerdict(c: CorpusCase, r: CompilePatternResult): void {
  assert.ok(r.ok, `should compile: ${r.ok ? "" : JSON.stringify(r.errors)}`);
  if (!r.ok) return;
  const event: unknown = JSON.parse(c.eventText);
  const expected = c.expect === "match";
  assert.equal(r.pattern.match(event), expected, JSON.stringify(r.pattern.explain(event)));
  const why = r.pattern.explain(event);
  assert.equal(why.matched, expected, "explain agrees with match");
  if (!expected) {
    assert.ok(typeof why.path === "string" && why.path.length > 0, "a failing path is named");
    assert.ok(typeof why.reason === "string" && why.reason.length > 0, "a reason is given");
  }
}

function runCase(c: CorpusCase, dialect: Dialect): void {
  const r = compilePattern(c.patternText, { dialect });
  if (dialect === "lambda" && c.lambdaSupported === false) {
    assert.equal(r.ok, false, "Lambda does not support this operator");
    if (r.ok) return;
    const unsupported = r.errors.filter((e) => e.code === "lambda-unsupported-operator");
    assert.ok(unsupported.length > 0, JSON.stringify(r.errors));
    const forms = anythingButForms(c.patternText);
    assert.ok(forms.length > 0);
    for (const form of forms) {
      assert.ok(
        unsupported.some((e) => e.message.includes('"anything-but"') && e.message.includes(`"${form}"`)),
        `an error names anything-but ${form}: ${JSON.stringify(unsupported)}`,
      );
    }
    return;
  }
  if (c.expect === "invalid") {
    assertInvalid(c, r);
    return;
  }
  assertVerdict(c, r);
  if (!r.ok) return;
  const unconfirmed = r.pattern.warnings.filter((w) => w.code === "lambda-unconfirmed-operator");
  if (dialect === "lambda" && c.lambdaSupported === "unknown") {
    assert.ok(unconfirmed.length > 0, "unconfirmed Lambda operator gives a warning");
  } else {
    assert.equal(unconfirmed.length, 0);
  }
  if (dialect === "lambda" && c.filterCriteria !== undefined) {
    const cr = compileCriteria(c.filterCriteria.Filters.map((f) => f.Pattern));
    assert.ok(cr.ok);
    if (!cr.ok) return;
    assert.equal(cr.criteria.match(JSON.parse(c.eventText)), c.expect === "match" ? 0 : -1);
  }
}

test("corpus has the documented shape", () => {
  assert.equal(corpus.length, 296);
  assert.equal(new Set(corpus.map((c) => c.id)).size, 296, "ids are unique");
  const count = (e: string) => corpus.filter((c) => c.expect === e).length;
  assert.deepEqual([count("match"), count("no-match"), count("invalid")], [130, 118, 48]);
});

for (const dialect of ["eventbridge", "lambda"] as const) {
  describe(`filter conformance, ${dialect} dialect`, () => {
    for (const c of corpus) {
      test(c.id, () => runCase(c, dialect));
    }
  });
}
