// The lazy command registry (src/commands/index.ts) repeats what the top-level help shows of each
// command; it must match the command modules it loads, and the help must read as if every command
// were loaded.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CommandSpec } from "../../../src/cli/program.js";
import { buildProgram } from "../../../src/cli/program.js";
import { commandSpecs } from "../../../src/commands/index.js";

const noContext = (): never => {
  throw new Error("no command runs in this test");
};

function helpOf(specs: Parameters<typeof buildProgram>[1]): string {
  const program = buildProgram("0.0.0", specs, noContext, () => undefined);
  return program.helpInformation();
}

test("each registry entry matches its command module (name, summary, arguments, options)", async () => {
  for (const entry of commandSpecs) {
    const spec = await entry.load();
    assert.equal(spec.name, entry.name);
    assert.equal(spec.summary, entry.summary);
    assert.deepEqual(spec.args ?? [], entry.args ?? []);
    assert.equal(spec.options !== undefined, entry.hasOptions, `${entry.name}: hasOptions`);
  }
});

test("the top-level help with lazy commands equals the help with every command loaded", async () => {
  const loaded: CommandSpec[] = [];
  for (const entry of commandSpecs) loaded.push(await entry.load());
  assert.equal(helpOf(commandSpecs), helpOf(loaded));
});

test("a command named on the command line is loaded before parsing (its options parse)", async () => {
  let got: Record<string, unknown> | undefined;
  const specs = commandSpecs.map((e) =>
    e.name === "shards"
      ? {
          ...e,
          load: async () => {
            const spec = await e.load();
            return {
              ...spec,
              run: async (_ctx: unknown, _args: string[], opts: Record<string, unknown>) => {
                got = opts;
                return 0;
              },
            } as CommandSpec;
          },
        }
      : e,
  );
  const program = buildProgram(
    "0.0.0",
    specs,
    () => ({}) as never,
    () => undefined,
  );
  program.exitOverride();
  await program.parseAsync(["shards", "Orders", "--tree"], { from: "user" });
  assert.equal(got?.tree, true);
});
