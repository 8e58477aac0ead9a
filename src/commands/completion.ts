/**
 * `dynastream completion bash|zsh|fish`: prints the completion script. Its commands and flags are
 * read from the program itself (src/cli/completion.ts). `--list-tables` (hidden, called by the
 * scripts) prints the table names for the --profile/--region/--endpoint-url given with it.
 */
import type { Context } from "../cli/context.js";
import { type CommandSpec, Option } from "../cli/program.js";
import { SHELLS, type Shell } from "../core/completion.js";
import { UsageError } from "../errors.js";

async function run(ctx: Context, [shell]: string[], opts: Record<string, unknown>): Promise<number> {
  if (opts.listTables === true) {
    if (shell !== undefined)
      throw new UsageError("--list-tables takes no shell", "dynastream completion --list-tables");
    // Called on every Tab: silent whatever happens, an empty list when AWS cannot be reached.
    const { completionTables } = await import("../aws/completion.js");
    const tables = await completionTables({
      profile: ctx.globals.profile,
      region: ctx.globals.region,
      endpointUrl: ctx.globals.endpointUrl,
      env: ctx.env,
      now: ctx.now(),
    });
    if (tables.length) ctx.out.write(`${tables.join("\n")}\n`);
    return 0;
  }
  if (shell === undefined || !SHELLS.includes(shell as Shell)) {
    throw new UsageError(
      shell === undefined ? "which shell? (bash, zsh or fish)" : `unknown shell "${shell}"`,
      "dynastream completion bash > ~/.local/share/bash-completion/completions/dynastream",
    );
  }
  const [{ buildProgram, loadAllCommands }, { commandSpecs }, { completionModel }, scripts] =
    await Promise.all([
      import("../cli/program.js"),
      import("./index.js"),
      import("../cli/completion.js"),
      import("../render/completion.js"),
    ]);
  const program = buildProgram(
    "0.0.0",
    commandSpecs,
    () => {
      throw new Error("completion runs no command");
    },
    () => undefined,
  );
  await loadAllCommands(program);
  const model = completionModel(program);
  const text =
    shell === "bash"
      ? scripts.bashScript(model)
      : shell === "zsh"
        ? scripts.zshScript(model)
        : scripts.fishScript(model);
  ctx.out.write(text);
  return 0;
}

export const command: CommandSpec = {
  examples: [
    "dynastream completion bash > ~/.local/share/bash-completion/completions/dynastream",
    "echo 'eval \"$(dynastream completion zsh)\"' >> ~/.zshrc",
    "dynastream completion fish > ~/.config/fish/completions/dynastream.fish",
  ],
  notes: [
    "Completes commands, flags, view types, output formats, --from keywords, dialects, --precision, files",
    "(after @, --input, --records, --checkpoint, --criteria, --cases, --on-failure, --env-file, --handler;",
    "invoke's handler), profile names, and table names: ListTables with the --profile, --region and",
    "--endpoint-url already typed, kept a minute in the cache folder ($XDG_CACHE_HOME/dynastream or",
    "~/.cache/dynastream); nothing, within a second, when AWS cannot be reached.",
  ].join("\n"),
  options: (cmd) =>
    cmd.addOption(new Option("--list-tables", "print table names (used by the scripts)").hideHelp()),
  run,
};
