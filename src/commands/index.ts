/**
 * Every subcommand, in the order --help lists them: its name, summary and arguments (all the
 * top-level help shows), and a loader for the rest. A command's module (its flags, help text and
 * behaviour, with everything it imports; exported as `command`) is loaded only when the command line
 * names it, so `--version`, `--help` and each command start without loading the others.
 */
import type { CommandEntry } from "../cli/program.js";

export const commandSpecs: CommandEntry[] = [
  {
    name: "enable",
    summary: "enable a table's stream (writes to AWS: UpdateTable)",
    args: ["<table>"],
    hasOptions: true,
    load: async () => (await import("./enable.js")).command,
  },
  {
    name: "disable",
    summary: "disable a table's stream, irreversibly for its ARN (writes to AWS: UpdateTable)",
    args: ["<table>"],
    hasOptions: true,
    load: async () => (await import("./disable.js")).command,
  },
  {
    name: "describe",
    summary: "describe a table's stream: status, view type, shards, all streams, consumers",
    args: ["<table|stream-arn>"],
    hasOptions: false,
    load: async () => (await import("./describe.js")).command,
  },
  {
    name: "shards",
    summary: "list every shard of a stream, or draw the lineage tree",
    args: ["<table|stream-arn>"],
    hasOptions: true,
    load: async () => (await import("./shards.js")).command,
  },
  {
    name: "tail",
    summary: "print stream records as they happen: unmarshalled, with old → new diffs",
    args: ["[table|stream-arn]"],
    hasOptions: true,
    load: async () => (await import("./tail/index.js")).command,
  },
  {
    name: "filter-test",
    summary: "test Lambda event-filter patterns against stream records, offline, with explanations",
    hasOptions: true,
    load: async () => (await import("./filter-test/index.js")).command,
  },
  {
    name: "lag",
    summary:
      "how far behind each consumer of a stream is (Lambda IteratorAge, KCL checkpoints), with a verdict",
    args: ["<table|stream-arn>"],
    hasOptions: true,
    load: async () => (await import("./lag.js")).command,
  },
  {
    name: "dlq",
    summary:
      "the records behind a Lambda mapping's failed batches, read back from the stream before they expire",
    args: ["[table|stream-arn]"],
    hasOptions: true,
    load: async () => (await import("./dlq/index.js")).command,
  },
];
