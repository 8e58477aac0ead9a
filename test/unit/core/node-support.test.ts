// Which Node versions are supported and tested is said in four places that must agree: package.json's
// engines, the minimum the code needs (core/node-support.ts, doctor's node line), the Node lines
// .ci/run tests on (doctor's NODE_TESTED), and the README.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { NODE_TESTED, nodeCheck } from "../../../src/core/doctor/node.js";
import { meetsNodeMinimum, NODE_END_OF_LIFE, NODE_MINIMUM } from "../../../src/core/node-support.js";

const root = new URL("../../../", import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), "utf8");
const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node;

/** Whether `version` satisfies the engines range (the forms it uses: `^X.Y.Z` and `>=X.Y.Z`, joined by ||). */
function satisfies(range: string, version: string): boolean {
  const v = version.replace(/^v/, "").split(".").map(Number);
  const atLeast = (min: number[]): boolean => {
    for (let i = 0; i < 3; i++) if ((v[i] ?? 0) !== (min[i] ?? 0)) return (v[i] ?? 0) > (min[i] ?? 0);
    return true;
  };
  return range.split("||").some((part) => {
    const m = /^\s*(\^|>=)(\d+)\.(\d+)\.(\d+)\s*$/.exec(part);
    assert.ok(m, `engines part "${part}" is ^X.Y.Z or >=X.Y.Z`);
    const min = [Number(m[2]), Number(m[3]), Number(m[4])];
    return atLeast(min) && (m[1] === ">=" || v[0] === min[0]);
  });
}

test("engines admits every tested line from the code's minimum, and no line past its end of life but 20", () => {
  for (const major of NODE_TESTED) assert.ok(satisfies(engines, `${major}.99.0`), `Node ${major}`);
  const min = `${NODE_MINIMUM[0]}.${NODE_MINIMUM[1]}.0`;
  assert.ok(satisfies(engines, min));
  assert.ok(!satisfies(engines, `${NODE_MINIMUM[0]}.${NODE_MINIMUM[1] - 1}.9`));
  for (const odd of [19, 21, 23, 25]) assert.ok(!satisfies(engines, `${odd}.9.0`), `Node ${odd}`);
  assert.ok(satisfies(engines, process.version), `the running Node ${process.version}`);
  // The code's minimum is real on the running Node, and doctor fails below it.
  assert.equal(typeof AbortSignal.any, "function");
  assert.equal(meetsNodeMinimum(min), true);
  assert.equal(nodeCheck(`v${NODE_MINIMUM[0]}.${NODE_MINIMUM[1] - 1}.0`, "2026-01-01").status, "fail");
  assert.equal(nodeCheck(`v${min}`, "2026-01-01").status, "ok");
});

test(".ci/run tests the lines doctor and the README name as tested; each has an end-of-life date", () => {
  const ci = read(".ci/run");
  const whole = /\$\{DYNASTREAM_CI_NODES-([\d ]+)\}/.exec(ci)?.[1]?.split(" ").map(Number);
  const e2e = /\$\{DYNASTREAM_CI_E2E_NODES-([\d ]+)\}/.exec(ci)?.[1]?.split(" ").map(Number);
  assert.ok(whole && e2e, ".ci/run names its default Node lists");
  const readme = read("README.md");
  const machine = Number(/runs the whole suite on the\s+machine's Node \((\d+)\)/.exec(readme)?.[1]);
  assert.deepEqual([machine, ...whole, ...e2e].sort(), [...NODE_TESTED].sort());
  assert.match(
    readme,
    new RegExp(
      `and on Node ${whole.join(" and ")} \\(LTS\\), and the end-to-end tests on Node ${e2e.join(" and ")}`,
    ),
  );
  for (const major of NODE_TESTED) assert.ok(NODE_END_OF_LIFE[major], `Node ${major}'s end of life`);
});
