import assert from "node:assert/strict";
import { test } from "node:test";
import { sanitize } from "../../../src/render/sanitize.js";
import { colorWanted } from "../../../src/render/style.js";

test("sanitize escapes terminal control sequences and keeps text", () => {
  assert.equal(sanitize("plain ünïcödé ✓"), "plain ünïcödé ✓");
  assert.equal(sanitize("\u001b[2J\u001b]0;pwned\u0007"), "\\x1b[2J\\x1b]0;pwned\\x07");
  assert.equal(sanitize("a\nb\tc\r"), "a\\nb\\tc\\r");
  assert.equal(sanitize("\u009b31m"), "\\x9b31m");
  assert.equal(sanitize("x\u2028y"), "x\\u2028y");
  assert.equal(sanitize("\u007f"), "\\x7f");
});

test("colour only on a TTY, never with NO_COLOR, TERM=dumb, --no-color or JSON", () => {
  const base = { isTTY: true, env: {}, noColorFlag: false, json: false };
  assert.equal(colorWanted(base), true);
  assert.equal(colorWanted({ ...base, isTTY: false }), false);
  assert.equal(colorWanted({ ...base, env: { NO_COLOR: "1" } }), false);
  assert.equal(colorWanted({ ...base, env: { NO_COLOR: "" } }), true, "an empty NO_COLOR does not count");
  assert.equal(colorWanted({ ...base, env: { TERM: "dumb" } }), false);
  assert.equal(colorWanted({ ...base, noColorFlag: true }), false);
  assert.equal(colorWanted({ ...base, json: true }), false);
  assert.equal(colorWanted({ ...base, isTTY: false, env: { FORCE_COLOR: "1" } }), true);
  assert.equal(colorWanted({ ...base, json: true, env: { FORCE_COLOR: "1" } }), false);
});
