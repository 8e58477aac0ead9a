/**
 * Commander wiring only: the program, its global options, and the subcommands (each declared in its
 * own src/commands/*.ts, loaded only when the command line names it). Nothing here loads the AWS SDK.
 */
import { Command, Help, Option, type ParseOptions } from "commander";
import type { Context, GlobalOptions } from "./context.js";

/** What a subcommand module exports as `command`: its flags, help text and run function. */
export interface CommandSpec {
  /** Example command lines (shown first in --help). */
  examples: string[];
  /** Extra help text after the options. */
  notes?: string;
  options?: (cmd: Command) => void;
  /** Runs the command; returns the exit code (0 when undefined). */
  run(ctx: Context, args: string[], opts: Record<string, unknown>): Promise<number | undefined>;
}

/**
 * A command as the top-level help lists it, with a loader for the rest: start-up then costs only
 * the module of the command that runs (see src/commands/index.ts).
 */
export interface CommandEntry {
  name: string;
  summary: string;
  /** Positional arguments in commander syntax, e.g. `<table>` or `[table]`. */
  args?: string[];
  /** Whether the command declares options (the top-level help shows `[options]` after its name). */
  hasOptions: boolean;
  load(): Promise<CommandSpec>;
}

/** Makes the context of a run of `command` (its name, as registered in src/commands/index.ts). */
export type ContextFactory = (globals: GlobalOptions, command: string) => Context;

/**
 * The program: before parsing (parseAsync only), completes each lazily declared subcommand that the
 * command line names, so commander parses and helps with its full definition. Subcommands not named
 * stay stubs (name, summary, arguments), which is all the top-level help and suggestions use.
 */
class LazyProgram extends Command {
  readonly deferred = new Map<string, () => Promise<void>>();

  override async parseAsync(argv?: readonly string[], parseOptions?: ParseOptions): Promise<this> {
    for (const word of argv ?? process.argv) {
      const complete = this.deferred.get(word);
      if (complete === undefined) continue;
      this.deferred.delete(word);
      await complete();
    }
    return super.parseAsync(argv, parseOptions);
  }
}

/** Builds the program. `onRun` receives the exit code of the command that ran. */
export function buildProgram(
  version: string,
  entries: readonly CommandEntry[],
  makeContext: ContextFactory,
  onRun: (code: number) => void,
): Command {
  const program = new LazyProgram("dynastream");
  // Stubs have no options yet; the top-level help still shows `[options]` for those that will.
  const stubOptions = new Map<string, boolean>();
  program.configureHelp({
    subcommandTerm(this: Help, cmd: Command): string {
      const declared = stubOptions.get(cmd.name());
      if (declared === undefined || cmd.options.length > 0)
        return Help.prototype.subcommandTerm.call(this, cmd);
      const args = cmd.registeredArguments
        .map((a) => {
          const name = a.name() + (a.variadic ? "..." : "");
          return a.required ? `<${name}>` : `[${name}]`;
        })
        .join(" ");
      return cmd.name() + (declared ? " [options]" : "") + (args ? ` ${args}` : "");
    },
  });
  program
    .description(
      "Amazon DynamoDB Streams from the terminal: enable, describe, tail, filter-test, lag; doctor, completion.",
    )
    .version(version, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .option("--profile <name>", "AWS profile (shared config/credentials files)")
    .option("--region <region>", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)")
    .option("--endpoint-url <url>", "send every AWS call here (overrides AWS_ENDPOINT_URL*)")
    .option("-o, --output <format>", "output format: pretty or json (tail: also dynamodb-json, raw)")
    .option("--json", "shorthand for --output json")
    .option(
      "--timeout <duration>",
      "give up on an AWS request that stays silent this long (default 10s; retried 3 times)",
    )
    .option("--no-color", "never colour the output (also NO_COLOR, TERM=dumb, non-TTY)")
    .option("-q, --quiet", "print no informational messages on stderr")
    .option("--debug", "log AWS calls (credentials redacted) and show stack traces")
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .addHelpText(
      "before",
      [
        "Examples:",
        "  dynastream enable Orders                     enable a NEW_AND_OLD_IMAGES stream",
        "  dynastream tail Orders                       live changes with diffs (Ctrl-C to stop)",
        "  dynastream tail Orders --from 15m --until-end --json | jq .",
        "  dynastream shards Orders --tree              the shard lineage",
        "  dynastream filter-test --criteria filters.json --records records.json",
        "  dynastream lag Orders --fail 5m              consumer lag, exit 1 when over 5 minutes",
        "  dynastream doctor Orders                     why doesn't it work? credentials, region, endpoints, IAM",
        "  dynastream completion bash > ~/.local/share/bash-completion/completions/dynastream",
        "",
      ].join("\n"),
    )
    .addHelpText(
      "after",
      "\nExit codes: 0 ok · 1 check negative · 2 usage · 3 not found · 4 credentials/access · 5 AWS/network · 6 records lost · 70 bug · 130 interrupted",
    );

  for (const entry of entries) {
    const cmd = program.command(entry.name).summary(entry.summary).description(entry.summary);
    for (const a of entry.args ?? []) cmd.argument(a);
    cmd.allowExcessArguments(false);
    cmd.showSuggestionAfterError(true);
    const complete = (spec: CommandSpec): void => {
      spec.options?.(cmd);
      const examples = spec.examples.map((e) => `  ${e}`).join("\n");
      cmd.addHelpText("before", `Examples:\n${examples}\n`);
      if (spec.notes) cmd.addHelpText("after", `\n${spec.notes}`);
      cmd.action(async (...params: unknown[]) => {
        const command = params[params.length - 1] as Command;
        const opts = command.opts() as Record<string, unknown>;
        const globals = command.optsWithGlobals() as GlobalOptions;
        const args = params
          .slice(0, entry.args?.length ?? 0)
          .map((a) => (Array.isArray(a) ? a.join(" ") : a)) as string[];
        const ctx = makeContext(globals, entry.name);
        onRun((await spec.run(ctx, args, opts)) ?? 0);
      });
    };
    stubOptions.set(entry.name, entry.hasOptions);
    program.deferred.set(entry.name, async () => complete(await entry.load()));
  }
  return program;
}

/** Completes every lazily declared command of a program made by {@link buildProgram} (shell completion reads them all). */
export async function loadAllCommands(program: Command): Promise<void> {
  const deferred = (program as LazyProgram).deferred;
  for (const [name, complete] of [...deferred]) {
    deferred.delete(name);
    await complete();
  }
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export { Option };
