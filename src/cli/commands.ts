/** Every subcommand, in the order --help lists them. */
import { describeCommand } from "../commands/describe.js";
import { disableCommand } from "../commands/disable.js";
import { enableCommand } from "../commands/enable.js";
import { filterTestCommand } from "../commands/filter-test.js";
import { lagCommand } from "../commands/lag.js";
import { shardsCommand } from "../commands/shards.js";
import { tailCommand } from "../commands/tail.js";
import type { CommandSpec } from "./program.js";

export const commandSpecs: CommandSpec[] = [
  enableCommand,
  disableCommand,
  describeCommand,
  shardsCommand,
  tailCommand,
  filterTestCommand,
  lagCommand,
];
