/**
 * Every subcommand, in the order --help lists them. Only what the top-level help shows is here; a
 * command's module (its flags, help text and behaviour, with everything it imports) is loaded only
 * when the command line names it, so `--version`, `--help` and each command start without loading
 * the others. test/unit/cli/commands.test.ts checks that these entries match the modules.
 */
import type { CommandEntry } from "../cli/program.js";

export const commandSpecs: CommandEntry[] = [
  {
    name: "enable",
    summary: "enable a table's stream (writes to AWS: UpdateTable)",
    args: ["<table>"],
    hasOptions: true,
    load: async () => (await import("./enable.js")).enableCommand,
  },
  {
    name: "disable",
    summary: "disable a table's stream, irreversibly for its ARN (writes to AWS: UpdateTable)",
    args: ["<table>"],
    hasOptions: true,
    load: async () => (await import("./disable.js")).disableCommand,
  },
  {
    name: "describe",
    summary: "describe a table's stream: status, view type, shards, all streams, consumers",
    args: ["<table|stream-arn>"],
    hasOptions: false,
    load: async () => (await import("./describe.js")).describeCommand,
  },
  {
    name: "shards",
    summary: "list every shard of a stream, or draw the lineage tree",
    args: ["<table|stream-arn>"],
    hasOptions: true,
    load: async () => (await import("./shards.js")).shardsCommand,
  },
  {
    name: "tail",
    summary: "print stream records as they happen: unmarshalled, with old → new diffs",
    args: ["[table|stream-arn]"],
    hasOptions: true,
    load: async () => (await import("./tail/index.js")).tailCommand,
  },
  {
    name: "filter-test",
    summary: "test Lambda event-filter patterns against stream records, offline, with explanations",
    hasOptions: true,
    load: async () => (await import("./filter-test/index.js")).filterTestCommand,
  },
  {
    name: "lag",
    summary:
      "how far behind each consumer of a stream is (Lambda IteratorAge, KCL checkpoints), with a verdict",
    args: ["<table|stream-arn>"],
    hasOptions: true,
    load: async () => (await import("./lag.js")).lagCommand,
  },
];
