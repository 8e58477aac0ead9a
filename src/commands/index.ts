/**
 * Every subcommand, in the order --help lists them: its usage and summary (all the top-level help
 * shows), and a loader for the rest. A command's module (its flags, help text and behaviour, with
 * everything it imports; exported as `command`) is loaded only when the command line names it, so
 * `--version`, `--help` and each command start without loading the others.
 */
import type { CommandEntry, CommandSpec } from "../cli/program.js";

/** Each command's usage as the top-level help shows it (`[options]` when it declares any), and summary. */
const HELP: ReadonlyArray<readonly [usage: string, summary: string]> = [
  ["enable [options] <table>", "enable a table's stream (writes to AWS: UpdateTable)"],
  [
    "disable [options] <table>",
    "disable a table's stream, irreversibly for its ARN (writes to AWS: UpdateTable)",
  ],
  [
    "describe <table|stream-arn>",
    "describe a table's stream: status, view type, shards, all streams, consumers",
  ],
  ["shards [options] <table|stream-arn>", "list every shard of a stream, or draw the lineage tree"],
  [
    "tail [options] [table|stream-arn]",
    "print stream records as they happen: unmarshalled, with old → new diffs",
  ],
  [
    "filter-test [options]",
    "test Lambda event-filter patterns against stream records, offline, with explanations",
  ],
  [
    "invoke [options] [handler] [table|stream-arn]",
    "run a stream handler on real stream records exactly as Lambda would: batches, retries, bisection, on-failure",
  ],
  [
    "lag [options] <table|stream-arn|kinesis-stream-arn>",
    "how far behind each consumer of a stream is (Lambda IteratorAge, KCL checkpoints), with a verdict",
  ],
  [
    "dlq [options] [table|stream-arn]",
    "the records behind a Lambda mapping's failed batches, read back from the stream before they expire",
  ],
  [
    "doctor [table|stream-arn]",
    "check what a run would use and whether it works: Node, credentials, region, endpoints, permissions",
  ],
  [
    "completion [options] [shell]",
    "print the shell completion script for bash, zsh or fish (commands, flags, files, table names)",
  ],
];

/** Each command's module. Static paths: the build splits and leaves out command modules by them. */
const MODULES: Record<string, () => Promise<{ command: CommandSpec }>> = {
  enable: () => import("./enable.js"),
  disable: () => import("./disable.js"),
  describe: () => import("./describe.js"),
  shards: () => import("./shards.js"),
  tail: () => import("./tail/index.js"),
  "filter-test": () => import("./filter-test/index.js"),
  invoke: () => import("./invoke/index.js"),
  lag: () => import("./lag.js"),
  dlq: () => import("./dlq/index.js"),
  doctor: () => import("./doctor.js"),
  completion: () => import("./completion.js"),
};

export const commandSpecs: CommandEntry[] = HELP.map(([usage, summary]) => {
  const [name = "", ...words] = usage.split(" ");
  const hasOptions = words[0] === "[options]";
  const module = MODULES[name];
  if (module === undefined) throw new Error(`command ${name} has no module in src/commands/index.ts`);
  const args = hasOptions ? words.slice(1) : words;
  return {
    name,
    summary,
    ...(args.length > 0 ? { args } : {}),
    hasOptions,
    load: async () => (await module()).command,
  };
});
