// Deterministic fuzzing: compilation never throws, and the slow path (explain) always agrees with
// the fast path (match), including dotted keys, nested arrays, $or and every operator.
import assert from "node:assert/strict";
import { test } from "node:test";
import { compilePattern, lintDynamoDB } from "../../../../src/core/filter/index.js";
import { random } from "../../../helpers/random.js";

const rnd = random(7);
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;

const KEYS = ["a", "b", "c", "a.b", "S", "N"];
const STRINGS = ["", "x", "X", "xy", "10.0.0.1", "pre-x", "a.png", "*"];
const SCALARS: unknown[] = [...STRINGS, 0, 1, 2.5, -3, true, false, null];

function operator(): unknown {
  switch (rnd(14)) {
    case 0:
      return { prefix: pick(STRINGS) };
    case 1:
      return { suffix: pick(STRINGS) };
    case 2:
      return { "equals-ignore-case": pick(STRINGS) };
    case 3:
      return { "anything-but": rnd(2) === 0 ? pick(STRINGS) : [pick(STRINGS), "z"] };
    case 4:
      return {
        "anything-but": {
          [pick(["prefix", "suffix", "equals-ignore-case", "wildcard"])]: pick(["x", "a*", ".png"]),
        },
      };
    case 5:
      return {
        numeric: pick([
          [">", 0],
          ["<=", 2],
          [">=", -5, "<", 1],
          ["=", 2.5],
        ]),
      };
    case 6:
      return { exists: rnd(2) === 0 };
    case 7:
      return { cidr: pick(["10.0.0.0/8", "::/0"]) };
    case 8:
      return { wildcard: pick(["x*", "*y", "a*b*c", ""]) };
    case 9:
      return { prefix: { "equals-ignore-case": "X" } };
    default:
      return pick(SCALARS);
  }
}

function pattern(depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const n = 1 + rnd(3);
  for (let i = 0; i < n; i++) {
    const key = pick(KEYS);
    const r = rnd(10);
    if (r < 5 || depth > 2) out[key] = Array.from({ length: 1 + rnd(3) }, operator);
    else if (r < 8) out[key] = pattern(depth + 1);
    else out.$or = [pattern(depth + 1), pattern(depth + 1)];
  }
  return out;
}

function event(depth: number): unknown {
  const r = rnd(10);
  if (depth > 3 || r < 4) return pick(SCALARS);
  if (r < 6) return Array.from({ length: rnd(3) }, () => event(depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = 0, n = rnd(4); i < n; i++) o[pick(KEYS)] = event(depth + 1);
  return o;
}

test("compiling mutated pattern texts never throws", () => {
  for (let i = 0; i < 2000; i++) {
    let text = JSON.stringify(pattern(0));
    for (let k = 0, n = rnd(4); k < n; k++) {
      const at = rnd(text.length + 1);
      text =
        rnd(2) === 0
          ? text.slice(0, at) + pick(['"', "{", "]", ",", ":", "x", "1"]) + text.slice(at)
          : text.slice(0, at) + text.slice(at + 1);
    }
    for (const dialect of ["lambda", "eventbridge"] as const) {
      const r = compilePattern(text, { dialect });
      assert.equal(typeof r.ok, "boolean");
      if (!r.ok)
        assert.ok(r.errors.length > 0 && r.errors.every((e) => e.level === "error" && e.message.length > 0));
    }
    assert.ok(Array.isArray(lintDynamoDB(text)));
  }
});

test("explain agrees with match on random patterns and events", () => {
  let compiled = 0;
  let matches = 0;
  let checks = 0;
  for (let i = 0; i < 1500; i++) {
    const r = compilePattern(JSON.stringify(pattern(0)), { dialect: "eventbridge" });
    if (!r.ok) continue;
    const p = r.pattern;
    compiled++;
    for (let k = 0; k < 30; k++) {
      const e: unknown = event(0);
      const m: boolean = p.match(e);
      const why = p.explain(e);
      assert.equal(why.matched, m, `${p.text} vs ${JSON.stringify(e)}`);
      if (!m) assert.ok(why.reason !== undefined && why.path !== undefined);
      checks++;
      if (m) matches++;
    }
  }
  assert.ok(compiled > 500, `enough valid patterns (${compiled})`);
  assert.ok(matches > 100 && matches < checks - 100, `both verdicts exercised (${matches}/${checks})`);
});
