import { strict as assert } from "node:assert";
import { it } from "node:test";
import { UsageError } from "../../../src/errors.js";
import { parseEnvFile } from "../../../src/io/env-file.js";

it("parseEnvFile: comments, export, quotes, inline comments; a bad line is exit 2 with its number", () => {
  const text = '# settings\nA=1\nexport B="two words"\nC=\'x # y\'\nD=plain # note\n\nE="a\\nb"\n';
  assert.deepEqual(parseEnvFile(text, ".env"), [
    ["A", "1"],
    ["B", "two words"],
    ["C", "x # y"],
    ["D", "plain"],
    ["E", "a\nb"],
  ]);
  assert.throws(
    () => parseEnvFile("A=1\nnot a line\n", ".env"),
    (e: unknown) => e instanceof UsageError && /line 2/.test(e.message),
  );
});
