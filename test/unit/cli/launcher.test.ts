// bin/dynastream.cjs picks a bundle by the command names on the command line; a bundle with fewer
// commands cannot run the others. Its list of commands must therefore be the program's.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { commandSpecs } from "../../../src/commands/index.js";

test("the launcher knows every command of src/commands/index.ts, and no other", () => {
  const launcher = readFileSync(new URL("../../../bin/dynastream.cjs", import.meta.url), "utf8");
  const list = /^const COMMANDS = (\[[^\]]*\]);$/m.exec(launcher);
  assert.ok(list, "bin/dynastream.cjs declares const COMMANDS = [...]");
  assert.deepEqual(
    (JSON.parse(list[1]!.replace(/,\s*\]$/, "]")) as string[]).sort(),
    commandSpecs.map((c) => c.name).sort(),
  );
});
