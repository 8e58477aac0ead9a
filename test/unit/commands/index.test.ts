// The lazy command registry (src/commands/index.ts) holds what the top-level help shows of each
// command; the help must read as if every command were loaded.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CommandSpec } from "../../../src/cli/program.js";
import { buildProgram } from "../../../src/cli/program.js";
import { commandSpecs } from "../../../src/commands/index.js";

const noContext = (): never => {
  throw new Error("no command runs in this test");
};

test("each registry entry says whether its module declares options", async () => {
  for (const entry of commandSpecs) {
    const spec = await entry.load();
    assert.equal(spec.options !== undefined, entry.hasOptions, `${entry.name}: hasOptions`);
  }
});

test("the top-level help with lazy commands equals the help with every command loaded", async () => {
  const program = buildProgram("0.0.0", commandSpecs, noContext, () => undefined);
  const lazy = program.helpInformation();
  const { deferred } = program as unknown as { deferred: Map<string, () => Promise<void>> };
  for (const complete of deferred.values()) await complete();
  assert.equal(program.helpInformation(), lazy);
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
