/** The shape of what shell completion offers (built from the program by src/cli/completion.ts, written as scripts by src/render/completion.ts). */

/** What to offer for a value: nothing (free text), words, files, `@file`, table names, profile names. */
export type ValueKind =
  | { kind: "none" }
  | { kind: "words"; words: readonly string[] }
  | { kind: "file"; stdin?: boolean }
  | { kind: "at-file" }
  | { kind: "table" }
  | { kind: "profile" };

/** A flag as completion sees it. */
export interface FlagModel {
  /** Every spelling: `-o`, `--output`. */
  names: string[];
  takesValue: boolean;
  value: ValueKind;
  description: string;
}

export interface CommandModel {
  name: string;
  description: string;
  flags: FlagModel[];
  /** What each positional argument is, in order (invoke: a handler file, then a table). */
  positionals: ValueKind[];
}

export interface CompletionModel {
  globalFlags: FlagModel[];
  commands: CommandModel[];
}

/** The shells `dynastream completion` writes scripts for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];
