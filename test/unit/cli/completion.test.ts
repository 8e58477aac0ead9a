// The completion model is read from the program: every flag named in VALUE_KINDS must be a real flag
// that takes a value (of that command, when scoped), so the table cannot drift from the commands.
import assert from "node:assert/strict";
import { test } from "node:test";
import { completionModel, VALUE_KINDS } from "../../../src/cli/completion.js";
import { buildProgram, loadAllCommands } from "../../../src/cli/program.js";
import { commandSpecs } from "../../../src/commands/index.js";

async function model() {
  const program = buildProgram(
    "0.0.0",
    commandSpecs,
    () => ({}) as never,
    () => undefined,
  );
  await loadAllCommands(program);
  return { program, model: completionModel(program) };
}

test("every flag VALUE_KINDS names exists and takes a value", async () => {
  const { program } = await model();
  for (const key of Object.keys(VALUE_KINDS)) {
    const [scope, flag] = key.includes(":") ? (key.split(":") as [string, string]) : [undefined, key];
    const owners = scope
      ? [program.commands.find((c) => c.name() === scope), program]
      : [program, ...program.commands];
    const option = owners.flatMap((c) => c?.options ?? []).find((o) => o.long === flag || o.short === flag);
    assert.ok(option, `${key}: no such flag`);
    assert.ok(option.required || option.optional, `${key}: takes no value`);
  }
});

test("the model lists every command, its arguments and flags", async () => {
  const { model: m } = await model();
  assert.deepEqual(
    m.commands.map((c) => c.name),
    commandSpecs.map((c) => c.name),
  );
  const tail = m.commands.find((c) => c.name === "tail");
  assert.deepEqual(tail?.positionals, [{ kind: "table" }]);
  assert.deepEqual(m.commands.find((c) => c.name === "invoke")?.positionals, [
    { kind: "file" },
    { kind: "table" },
  ]);
  assert.deepEqual(tail?.flags.find((f) => f.names.includes("--input"))?.value, {
    kind: "file",
    stdin: true,
  });
  assert.deepEqual(m.commands.find((c) => c.name === "completion")?.positionals, [
    { kind: "words", words: ["bash", "zsh", "fish"] },
  ]);
  assert.ok(m.globalFlags.some((f) => f.names.includes("--endpoint-url") && f.takesValue));
  assert.ok(
    !m.commands.find((c) => c.name === "completion")?.flags.some((f) => f.names.includes("--list-tables")),
  );
});
