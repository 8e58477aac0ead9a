/**
 * The shell completion scripts `dynastream completion bash|zsh|fish` prints, written from the
 * completion model (src/cli/completion.ts: the program's own commands and flags). Table names come
 * from `dynastream completion --list-tables` (ListTables, cached a minute, silent within a second),
 * profile names from the shared config and credentials files.
 */
import type { CommandModel, CompletionModel, FlagModel, ValueKind } from "../core/completion.js";

/** A value kind as the bash function's `kind` string. */
function bashKind(v: ValueKind, stdin = false): string {
  switch (v.kind) {
    case "words":
      return `words:${v.words.join(" ")}`;
    case "file":
      return v.stdin || stdin ? "file-stdin" : "file";
    default:
      return v.kind;
  }
}

const valued = (flags: FlagModel[]): string[] => flags.filter((f) => f.takesValue).flatMap((f) => f.names);

/** Single-quotes a word for bash and zsh. */
function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The bash completion function (also used by zsh through bashcompinit). */
function bashBody(m: CompletionModel): string {
  const allValued = [...new Set([...valued(m.globalFlags), ...m.commands.flatMap((c) => valued(c.flags))])];
  const valueCases: string[] = [];
  for (const c of m.commands) {
    for (const f of c.flags) {
      if (!f.takesValue || f.value.kind === "none") continue;
      valueCases.push(
        `    ${f.names.map((n) => `${c.name}:${n}`).join("|")}) echo ${sq(bashKind(f.value))} ;;`,
      );
    }
  }
  for (const f of m.globalFlags) {
    if (!f.takesValue || f.value.kind === "none") continue;
    valueCases.push(`    ${f.names.map((n) => `*:${n}`).join("|")}) echo ${sq(bashKind(f.value))} ;;`);
  }
  const flagCases = m.commands.map(
    (c) => `    ${c.name}) echo ${sq([...new Set(c.flags.flatMap((f) => f.names))].join(" "))} ;;`,
  );
  const posCases = m.commands.flatMap((c) =>
    c.positionals.flatMap((p, i) =>
      p.kind === "none" ? [] : [`    ${c.name}:${i}) echo ${sq(bashKind(p))} ;;`],
    ),
  );
  const globals = m.globalFlags.flatMap((f) => f.names).join(" ");
  return `_dynastream_valued=${sq(` ${allValued.join(" ")} `)}
_dynastream_global_flags=${sq(globals)}
_dynastream_commands=${sq(m.commands.map((c) => c.name).join(" "))}

# What the value after a flag is: "none", "words:<w…>", "file", "file-stdin", "at-file", "table", "profile".
_dynastream_value_kind() {
  case "$1:$2" in
${valueCases.join("\n")}
    *) echo none ;;
  esac
}

_dynastream_command_flags() {
  case "$1" in
${flagCases.join("\n")}
  esac
}

# What the positional argument number $2 (from 0) of command $1 is.
_dynastream_positional() {
  case "$1:$2" in
${posCases.join("\n")}
    *) echo none ;;
  esac
}

# Profile names from the shared config and credentials files.
_dynastream_profiles() {
  local f
  for f in "\${AWS_CONFIG_FILE:-$HOME/.aws/config}" "\${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}"; do
    [[ -r $f ]] || continue
    sed -n -e 's/^[[:space:]]*\\[profile[[:space:]][[:space:]]*\\([^]]*\\)\\].*/\\1/p' \\
      -e 's/^[[:space:]]*\\[\\([^] ]*\\)\\].*/\\1/p' "$f"
  done
}

# Prints the kind of completion ("words" or "files") on the first line, then the candidates, for
# the command line in COMP_WORDS (0-based; zsh runs this under "emulate sh") and COMP_CWORD.
_dynastream_candidates() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" w cmd="" kind="" i skip=0 npos=0
  local -a aws
  aws=()
  ((COMP_CWORD > 0)) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # --flag=value: bash splits it at "=" (COMP_WORDBREAKS); zsh keeps one word.
  if [[ $cur == "=" ]]; then
    cur=""
  elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
    prev="\${COMP_WORDS[COMP_CWORD-2]}"
  elif [[ $cur == --*=* ]]; then
    prev="\${cur%%=*}"
    cur="\${cur#*=}"
  fi
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip > 0)); then
      skip=$((skip - 1))
      continue
    fi
    case "$w" in
      --profile | --region | --endpoint-url)
        if [[ "\${COMP_WORDS[i+1]}" == "=" ]]; then
          aws+=("$w" "\${COMP_WORDS[i+2]}")
          skip=2
        else
          aws+=("$w" "\${COMP_WORDS[i+1]}")
          skip=1
        fi
        continue
        ;;
      --profile=* | --region=* | --endpoint-url=*)
        aws+=("$w")
        continue
        ;;
    esac
    if [[ $w == -* ]]; then
      if [[ $_dynastream_valued == *" $w "* ]]; then
        skip=1
        [[ "\${COMP_WORDS[i+1]}" == "=" ]] && skip=2
      fi
      continue
    fi
    if [[ -z $cmd ]]; then cmd="$w"; else npos=$((npos + 1)); fi
  done
  if [[ $prev == -* && $_dynastream_valued == *" $prev "* ]]; then
    kind="$(_dynastream_value_kind "$cmd" "$prev")"
  elif [[ $cur == -* ]]; then
    kind="words:$_dynastream_global_flags $(_dynastream_command_flags "$cmd")"
  elif [[ -z $cmd ]]; then
    kind="words:$_dynastream_commands"
  else
    kind="$(_dynastream_positional "$cmd" "$npos")"
  fi
  case "$kind" in
    words:*)
      echo words
      _dynastream_match "$cur" \${kind#words:}
      ;;
    file | file-stdin)
      echo files
      _dynastream_files "" "$cur"
      [[ $kind == file-stdin && - == "$cur"* ]] && echo -
      ;;
    at-file)
      echo files
      [[ $cur == @* ]] && _dynastream_files @ "\${cur#@}"
      ;;
    table)
      echo words
      _dynastream_match "$cur" $(command "\${COMP_WORDS[0]}" completion --list-tables "\${aws[@]}" 2>/dev/null)
      ;;
    profile)
      echo words
      _dynastream_match "$cur" $(_dynastream_profiles)
      ;;
    *) echo words ;;
  esac
  return 0
}

# The words (from the second argument on) that start with the first.
_dynastream_match() {
  local p="$1" w
  shift
  for w in "$@"; do
    case "$w" in "$p"*) printf '%s\n' "$w" ;; esac
  done
}

# Files starting with $2, each with $1 before it.
_dynastream_files() {
  local f
  if [[ -n "\${ZSH_VERSION-}" ]]; then
    setopt local_options null_glob
    for f in "$2"*; do printf '%s\n' "$1$f"; done
  else
    compgen -f -P "$1" -- "$2"
  fi
}
`;
}

/** `dynastream completion bash`. */
export function bashScript(m: CompletionModel): string {
  return `# bash completion for dynastream, written by \`dynastream completion bash\`.
# Install: dynastream completion bash > ~/.local/share/bash-completion/completions/dynastream
#      or: echo 'eval "$(dynastream completion bash)"' >> ~/.bashrc
${bashBody(m)}
_dynastream() {
  local kind line
  COMPREPLY=()
  while IFS= read -r line; do
    if [[ -z $kind ]]; then kind="$line"; else COMPREPLY+=("$line"); fi
  done < <(_dynastream_candidates)
  [[ $kind == files ]] && compopt -o filenames 2>/dev/null
  return 0
}
complete -F _dynastream dynastream
`;
}

/** `dynastream completion zsh`: the same candidates as bash (computed under `emulate sh`), added with compadd. */
export function zshScript(m: CompletionModel): string {
  return `#compdef dynastream
# zsh completion for dynastream, written by \`dynastream completion zsh\`.
# Install: echo 'eval "$(dynastream completion zsh)"' >> ~/.zshrc   (after compinit)
#      or: dynastream completion zsh > "\${fpath[1]}/_dynastream"
${bashBody(m)}
_dynastream() {
  local -a COMP_WORDS out
  local COMP_CWORD=$((CURRENT - 1)) kind
  COMP_WORDS=("\${words[@]}")
  out=("\${(@f)$(emulate sh -c _dynastream_candidates)}")
  kind="\${out[1]}"
  out=("\${(@)out[2,-1]}")
  # --flag=value is one word in zsh: the candidates are values; the word keeps its --flag= part.
  [[ $PREFIX == --*=* ]] && out=("\${(@)out/#/\${PREFIX%%=*}=}")
  if [[ $kind == files ]]; then
    compadd -U -f -- "\${out[@]}"
  else
    compadd -U -- "\${out[@]}"
  fi
}
if [[ "\${funcstack[1]-}" == _dynastream ]]; then
  _dynastream "$@"
else
  (( $+functions[compdef] )) || { autoload -U compinit && compinit; }
  compdef _dynastream dynastream
fi
`;
}

/** Quotes a word for fish (single quotes; \\ and ' escaped). */
function fq(s: string): string {
  return `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

function fishFlag(f: FlagModel, cond: string | undefined): string {
  const parts = ["complete -c dynastream"];
  if (cond) parts.push(`-n ${fq(cond)}`);
  for (const n of f.names) parts.push(n.startsWith("--") ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`);
  const v = f.value;
  if (f.takesValue) {
    switch (v.kind) {
      case "words":
        parts.push(`-x -a ${fq(v.words.join(" "))}`);
        break;
      case "file":
        parts.push(v.stdin ? "-r -F -a -" : "-r -F");
        break;
      case "at-file":
        parts.push("-x -a '(__dynastream_at_files)'");
        break;
      case "table":
        parts.push("-x -a '(__dynastream_tables)'");
        break;
      case "profile":
        parts.push("-x -a '(__dynastream_profiles)'");
        break;
      default:
        parts.push("-x");
    }
  }
  parts.push(`-d ${fq(f.description.split("\n")[0] ?? "")}`);
  return parts.join(" ");
}

/** `dynastream completion fish`. */
export function fishScript(m: CompletionModel): string {
  const lines: string[] = [
    `# fish completion for dynastream, written by \`dynastream completion fish\`.`,
    "# Install: dynastream completion fish > ~/.config/fish/completions/dynastream.fish",
    "",
    "# --profile, --region and --endpoint-url as typed on the command line, for ListTables.",
    "function __dynastream_aws_args",
    "    set -l tokens (commandline -opc)",
    "    set -l i 2",
    "    while test $i -le (count $tokens)",
    "        switch $tokens[$i]",
    "            case --profile --region --endpoint-url",
    "                set -l next (math $i + 1)",
    "                if test $next -le (count $tokens)",
    "                    printf '%s\\n' $tokens[$i] $tokens[$next]",
    "                end",
    "                set i $next",
    "            case '--profile=*' '--region=*' '--endpoint-url=*'",
    "                printf '%s\\n' $tokens[$i]",
    "        end",
    "        set i (math $i + 1)",
    "    end",
    "end",
    "",
    "function __dynastream_tables",
    "    set -l bin (commandline -opc)[1]",
    "    command $bin completion --list-tables (__dynastream_aws_args) 2>/dev/null",
    "end",
    "",
    "function __dynastream_profiles",
    "    set -l config ~/.aws/config",
    "    set -q AWS_CONFIG_FILE; and set config $AWS_CONFIG_FILE",
    "    set -l credentials ~/.aws/credentials",
    "    set -q AWS_SHARED_CREDENTIALS_FILE; and set credentials $AWS_SHARED_CREDENTIALS_FILE",
    "    for f in $config $credentials",
    "        test -r $f; or continue",
    "        string match -r -g '^\\s*\\[(?:profile\\s+)?([^\\]\\s]+)\\]' <$f",
    "    end",
    "end",
    "",
    "# Files after @ (--pattern @file, --filter @file).",
    "function __dynastream_at_files",
    "    set -l tok (commandline -ct)",
    "    string match -q -- '@*' $tok; or return",
    "    for p in (__fish_complete_path (string sub -s 2 -- $tok))",
    "        echo @$p",
    "    end",
    "end",
    "",
    "complete -c dynastream -f",
  ];
  const names = m.commands.map((c) => c.name).join(" ");
  for (const c of m.commands) {
    lines.push(
      `complete -c dynastream -n ${fq(`not __fish_seen_subcommand_from ${names}`)} -a ${c.name} -d ${fq(c.description)}`,
    );
  }
  // Global flags; one whose value a command redefines (tail's --output) is that command's there.
  const overridden = (f: FlagModel): string[] =>
    m.commands
      .filter((c) => c.flags.some((g) => g.names.some((n) => f.names.includes(n))))
      .map((c) => c.name);
  for (const f of m.globalFlags) {
    const o = overridden(f);
    lines.push(fishFlag(f, o.length ? `not __fish_seen_subcommand_from ${o.join(" ")}` : undefined));
  }
  for (const c of m.commands) lines.push(...commandLines(c));
  return `${lines.join("\n")}\n`;
}

function commandLines(c: CommandModel): string[] {
  const cond = `__fish_seen_subcommand_from ${c.name}`;
  const out = c.flags.map((f) => fishFlag(f, cond));
  // fish does not count positionals: each kind is offered at any position after the command.
  for (const p of c.positionals) {
    if (p.kind === "table") out.push(`complete -c dynastream -n ${fq(cond)} -a '(__dynastream_tables)'`);
    if (p.kind === "words") out.push(`complete -c dynastream -n ${fq(cond)} -a ${fq(p.words.join(" "))}`);
    if (p.kind === "file") out.push(`complete -c dynastream -n ${fq(cond)} -F`);
  }
  return out;
}
