/**
 * What shell completion offers, read from the program itself: every command, its arguments and
 * flags come from the commander definitions (src/cli/program.ts and each src/commands module), so a
 * flag added to a command completes without touching the scripts. Only what a flag's VALUE is (a
 * file, a table, one of a few words) is said here, by flag name; test/unit/cli/completion.test.ts
 * checks that every name here is a real flag that takes a value.
 */
import type { Command } from "commander";
import type { CompletionModel, FlagModel, ValueKind } from "../core/completion.js";
import { SHELLS } from "../core/completion.js";
import { VIEW_TYPES } from "../core/view-type.js";
import { TAIL_FORMATS } from "../render/tail-output.js";

/** The spellings users may type for view types (src/core/view-type.ts accepts these and more). */
const VIEW_TYPE_WORDS = [...VIEW_TYPES, "keys-only", "new", "old", "new-and-old"];

/** `--from` keywords (and two durations ago as examples): src/core/tail/plan.ts. */
const FROM_WORDS = ["latest", "trim-horizon", "15m", "1h"];

/** Value kinds by flag name; `command:flag` for one command only. Flags not named take free text. */
export const VALUE_KINDS: Readonly<Record<string, ValueKind>> = {
  "--profile": { kind: "profile" },
  "--output": { kind: "words", words: ["pretty", "json"] },
  "tail:--output": { kind: "words", words: TAIL_FORMATS },
  "--view-type": { kind: "words", words: VIEW_TYPE_WORDS },
  "tail:--from": { kind: "words", words: FROM_WORDS },
  "invoke:--from": { kind: "words", words: FROM_WORDS },
  "--precision": { kind: "words", words: ["millisecond", "microsecond"] },
  "--dialect": { kind: "words", words: ["lambda", "eventbridge"] },
  "--expect": { kind: "words", words: ["match", "no-match"] },
  "--input": { kind: "file", stdin: true },
  "--records": { kind: "file", stdin: true },
  "--checkpoint": { kind: "file" },
  "--criteria": { kind: "file" },
  "--cases": { kind: "file" },
  "--on-failure": { kind: "file" },
  "--env-file": { kind: "file" },
  "--handler": { kind: "file" },
  "--pattern": { kind: "at-file" },
  "--filter": { kind: "at-file" },
  "--table": { kind: "table" },
  "--from-stream": { kind: "table" },
  "--kcl-table": { kind: "table" },
};

/** A positional argument, by name: a table (or stream ARN), a handler file, the completion command's shell, else free text. */
function argumentKind(name: string): ValueKind {
  if (/^table/.test(name)) return { kind: "table" };
  if (name === "handler") return { kind: "file" };
  if (name === "shell") return { kind: "words", words: SHELLS };
  return { kind: "none" };
}

function flagsOf(cmd: Command, commandName: string | undefined): FlagModel[] {
  return cmd.options
    .filter((o) => !o.hidden)
    .map((o) => {
      const names = [o.short, o.long].filter((n): n is string => n !== undefined);
      const takesValue = o.required || o.optional;
      const key = o.long ?? o.short ?? "";
      const value = takesValue
        ? ((commandName !== undefined ? VALUE_KINDS[`${commandName}:${key}`] : undefined) ??
          VALUE_KINDS[key] ?? { kind: "none" as const })
        : { kind: "none" as const };
      return { names, takesValue, value, description: o.description };
    });
}

/** The model of a program whose commands are all loaded (see LazyProgram.deferred). */
export function completionModel(program: Command): CompletionModel {
  const globalFlags = [
    ...flagsOf(program, undefined),
    {
      names: ["-h", "--help"],
      takesValue: false,
      value: { kind: "none" as const },
      description: "show help",
    },
  ];
  const commands = program.commands
    .filter((c) => c.name() !== "help")
    .map((c) => {
      const flags = flagsOf(c, c.name());
      // A global flag whose value depends on the command (tail's --output) is also listed per command.
      for (const g of program.options) {
        const key = g.long ?? "";
        const own = VALUE_KINDS[`${c.name()}:${key}`];
        if (own)
          flags.push({
            names: [g.short, g.long].filter((n): n is string => !!n),
            takesValue: true,
            value: own,
            description: g.description,
          });
      }
      return {
        name: c.name(),
        description: c.summary() || c.description(),
        flags,
        positionals: c.registeredArguments.map((a) => argumentKind(a.name())),
      };
    });
  return { globalFlags, commands };
}
