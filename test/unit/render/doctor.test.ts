// doctor's pretty report: one aligned line per check with its mark, the fix under it, a summary.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Check } from "../../../src/core/doctor/check.js";
import { renderDoctor } from "../../../src/render/doctor.js";
import { plainStyle } from "../../../src/render/style.js";

test("marks, aligned labels, fixes under their line, and the summary", () => {
  const checks: Check[] = [
    { id: "node", status: "ok", summary: "Node v24.1.0" },
    { id: "region", status: "fail", summary: "no region", fix: "pass --region" },
    { id: "dynamodb:DescribeStream", status: "warn", summary: "throttled: not known", fix: "again" },
    {
      id: "lambda:ListEventSourceMappings",
      status: "skip",
      summary: "not checked: DynamoDB Local has no Lambda",
    },
  ];
  assert.deepEqual(renderDoctor(checks, plainStyle), [
    "✓ node                            Node v24.1.0",
    "✗ region                          no region",
    "                                  fix: pass --region",
    "! dynamodb:DescribeStream         throttled: not known",
    "                                  fix: again",
    "- lambda:ListEventSourceMappings  not checked: DynamoDB Local has no Lambda",
    "",
    "1 check failed, 1 warning",
  ]);
  assert.equal(renderDoctor([checks[0]!], plainStyle).at(-1), "all checks passed");
});

test("control characters from AWS messages or files are escaped", () => {
  const lines = renderDoctor(
    [{ id: "identity", status: "fail", summary: "bad \x1b[2J", fix: "x\x07" }],
    plainStyle,
  );
  assert.ok(
    lines.every((l) => !/[\x00-\x08\x1b]/.test(l)),
    JSON.stringify(lines),
  );
});
