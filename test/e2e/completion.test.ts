// Shell completion, driven as the shells drive it: bash's completion function with COMP_WORDS and
// COMP_CWORD set (bash is always there), the zsh script through zsh's bash-compatible completion, the
// fish script with `complete -C`. Commands and flags must be the program's own (read here from the
// commander definitions), table names come from DynamoDB Local with what the line says.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { buildProgram, loadAllCommands } from "../../src/cli/program.js";
import { commandSpecs } from "../../src/commands/index.js";
import { BIN, runCli } from "../helpers/cli.js";
import { cliEnv, createTable, ddbEndpoint, TEST_CREDENTIALS, uniqueName } from "../helpers/ddb.js";

const dir = mkdtempSync(join(tmpdir(), "dynastream-completion-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const binDir = join(dir, "bin");
mkdirSync(binDir);
writeFileSync(join(binDir, "dynastream"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
chmodSync(join(binDir, "dynastream"), 0o755);
const files = join(dir, "files");
mkdirSync(files);
for (const f of ["orders.json", "orders.ndjson", "other.txt"]) writeFileSync(join(files, f), "{}");

let endpoint = "";
const scripts: Record<string, string> = {};
before(async () => {
  endpoint = await ddbEndpoint();
  for (const shell of ["bash", "zsh", "fish"]) {
    const r = await runCli(["completion", shell]);
    assert.equal(r.code, 0, r.stderr);
    scripts[shell] = join(dir, `dynastream.${shell}`);
    writeFileSync(scripts[shell], r.stdout);
  }
});

const have = (shell: string): boolean => spawnSync(shell, ["-c", "exit 0"]).status === 0;

/** A bash word, single-quoted. */
const q = (w: string): string => `'${w.replace(/'/g, `'\\''`)}'`;

/** What bash's completion function offers for `words` (the last one is being completed). */
function bash(words: string[], env: Record<string, string> = {}): string[] {
  const script = `source ${q(scripts.bash!)}
COMP_WORDS=(${words.map(q).join(" ")})
COMP_CWORD=${words.length - 1}
_dynastream
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync("bash", ["--norc", "--noprofile", "-c", script], {
    env: { ...baseEnv(), ...env },
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\n").filter((l) => l !== "");
}

function baseEnv(): Record<string, string> {
  return {
    ...cliEnv(endpoint),
    PATH: `${binDir}:${process.env.PATH ?? ""}`,
    XDG_CACHE_HOME: join(dir, "xdg"),
  };
}

/** Every flag of a command (and the program's), from the commander definitions themselves. */
async function programFlags(): Promise<{ globals: string[]; byCommand: Map<string, string[]> }> {
  const program = buildProgram(
    "0.0.0",
    commandSpecs,
    () => ({}) as never,
    () => undefined,
  );
  await loadAllCommands(program);
  const names = (opts: readonly { short?: string; long?: string; hidden: boolean }[]) =>
    opts.filter((o) => !o.hidden).flatMap((o) => [o.short, o.long].filter((n): n is string => !!n));
  return {
    globals: [...names(program.options), "-h", "--help"],
    byCommand: new Map(program.commands.map((c) => [c.name(), names(c.options)])),
  };
}

test("bash: commands, and every command's flags exactly as the program declares them", async () => {
  assert.deepEqual(
    bash(["dynastream", ""]),
    commandSpecs.map((c) => c.name),
  );
  assert.deepEqual(bash(["dynastream", "do"]), ["doctor"]);
  const { globals, byCommand } = await programFlags();
  for (const c of commandSpecs) {
    const offered = bash(["dynastream", c.name, "-"]);
    const expected = [...new Set([...globals, ...(byCommand.get(c.name) ?? [])])].sort();
    assert.deepEqual([...new Set(offered)].sort(), expected, c.name);
  }
  assert.ok(!bash(["dynastream", "completion", "--"]).includes("--list-tables"), "hidden flag stays hidden");
});

test("bash: enum values after their flags, per command where they differ", () => {
  assert.deepEqual(bash(["dynastream", "tail", "Orders", "--from", ""]), [
    "latest",
    "trim-horizon",
    "15m",
    "1h",
  ]);
  assert.deepEqual(bash(["dynastream", "enable", "Orders", "--view-type", "NEW"]), [
    "NEW_IMAGE",
    "NEW_AND_OLD_IMAGES",
  ]);
  assert.deepEqual(bash(["dynastream", "invoke", "h.mjs", "Orders", "--from", "t"]), ["trim-horizon"]);
  assert.deepEqual(bash(["dynastream", "enable", "Orders", "--kinesis", "s", "--precision", ""]), [
    "millisecond",
    "microsecond",
  ]);
  assert.deepEqual(bash(["dynastream", "filter-test", "--dialect", ""]), ["lambda", "eventbridge"]);
  assert.deepEqual(bash(["dynastream", "filter-test", "--expect", ""]), ["match", "no-match"]);
  assert.deepEqual(bash(["dynastream", "describe", "-o", ""]), ["pretty", "json"]);
  assert.deepEqual(bash(["dynastream", "tail", "-o", ""]), ["pretty", "json", "dynamodb-json", "raw"]);
  assert.deepEqual(bash(["dynastream", "tail", "--output", "=", "dy"]), ["dynamodb-json"]);
  assert.deepEqual(bash(["dynastream", "completion", ""]), ["bash", "zsh", "fish"]);
  // A free value (a count) offers nothing, and the word after it is not taken for the command.
  assert.deepEqual(bash(["dynastream", "--timeout", "5s", "ta"]), ["tail"]);
  assert.deepEqual(bash(["dynastream", "tail", "--count", ""]), []);
});

test("bash: files after --input, --records (and - for stdin), --checkpoint, @, and for invoke's handler", () => {
  const base = join(files, "orders");
  assert.deepEqual(bash(["dynastream", "tail", "--input", base]).sort(), [`${base}.json`, `${base}.ndjson`]);
  assert.deepEqual(bash(["dynastream", "tail", "--checkpoint", join(files, "oth")]), [
    join(files, "other.txt"),
  ]);
  assert.ok(bash(["dynastream", "filter-test", "--records", ""]).includes("-"));
  assert.deepEqual(bash(["dynastream", "filter-test", "--pattern", `@${base}.j`]), [`@${base}.json`]);
  assert.deepEqual(bash(["dynastream", "tail", "T", "--filter", `@${join(files, "oth")}`]), [
    `@${join(files, "other.txt")}`,
  ]);
  assert.deepEqual(bash(["dynastream", "filter-test", "--pattern", "{"]), []); // inline JSON: nothing to offer
  // invoke's handler file (its first argument), --on-failure and --env-file; dlq's --handler.
  const other = [join(files, "other.txt")];
  assert.deepEqual(bash(["dynastream", "invoke", join(files, "oth")]), other);
  assert.deepEqual(bash(["dynastream", "invoke", "h.mjs", "T", "--on-failure", join(files, "oth")]), other);
  assert.deepEqual(bash(["dynastream", "invoke", "--env-file", join(files, "oth")]), other);
  assert.deepEqual(bash(["dynastream", "dlq", "T", "--redrive", "--handler", join(files, "oth")]), other);
});

test("bash: profile names from the shared files", () => {
  const config = join(dir, "config");
  writeFileSync(
    config,
    "[default]\nregion = us-east-1\n[profile dev]\nsso_session = x\n[sso-session x]\nsso_region = us-east-1\n[services s]\n",
  );
  const credentials = join(dir, "credentials");
  writeFileSync(credentials, "[ci]\naws_access_key_id = A\n");
  const env = { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials };
  assert.deepEqual(bash(["dynastream", "--profile", ""], env).sort(), ["ci", "default", "dev"]);
  assert.deepEqual(bash(["dynastream", "describe", "--profile", "=", "d"], env).sort(), ["default", "dev"]);
});

test("bash: table names from ListTables with the line's --endpoint-url/--region/--profile, cached for a minute", async () => {
  // A cold start on a busy machine may take more than the default second: the budget is raised here
  // (the silent-server test below keeps the default).
  const cache = { XDG_CACHE_HOME: join(dir, "xdg-tables"), DYNASTREAM_COMPLETION_TIMEOUT: "30s" };
  const prefix = uniqueName("cmpl");
  const a = await createTable(endpoint, { name: `${prefix}-a`, viewType: null });
  const b = await createTable(endpoint, { name: `${prefix}-b`, viewType: null });
  assert.deepEqual(bash(["dynastream", "describe", prefix], cache), [a, b]);
  assert.deepEqual(bash(["dynastream", "lag", "Orders", "--kcl-table", prefix], cache), [a, b]);
  assert.deepEqual(bash(["dynastream", "filter-test", "--from-stream", prefix], cache), [a, b]);
  assert.deepEqual(bash(["dynastream", "invoke", "./handler.mjs", prefix], cache), [a, b]); // its second argument
  assert.deepEqual(bash(["dynastream", "describe", "T", prefix], cache), []); // describe takes one
  // Cached: a table created now is not offered for a minute.
  await createTable(endpoint, { name: `${prefix}-c`, viewType: null });
  assert.deepEqual(bash(["dynastream", "tail", prefix], cache), [a, b]);
  const cacheDir = join(dir, "xdg-tables", "dynastream", "completion");
  assert.ok(readdirSync(cacheDir).some((f) => /^tables-[0-9a-f]{32}\.json$/.test(f)));

  // The environment's endpoint is dead; the one typed on the line is used (another cache entry).
  const env = { ...cache, AWS_ENDPOINT_URL: "http://127.0.0.1:9", AWS_REGION: "eu-west-3" };
  assert.deepEqual(bash(["dynastream", "describe", prefix], env), []);
  const typed = bash(
    ["dynastream", "--endpoint-url", endpoint, "--region", "us-east-1", "describe", prefix],
    env,
  );
  assert.deepEqual(typed, [a, b, `${prefix}-c`]);

  // A --profile typed on the line: its endpoint_url and keys (the default profile's endpoint is dead).
  const config = join(dir, "config-tables");
  writeFileSync(
    config,
    "[default]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9\n" +
      `[profile local]\nregion = us-east-1\nendpoint_url = ${endpoint}\n` +
      `aws_access_key_id = ${TEST_CREDENTIALS.accessKeyId}\naws_secret_access_key = ${TEST_CREDENTIALS.secretAccessKey}\n`,
  );
  const profileEnv = { ...cache, AWS_ENDPOINT_URL: "", AWS_CONFIG_FILE: config };
  assert.deepEqual(bash(["dynastream", "describe", prefix], profileEnv), []);
  assert.deepEqual(bash(["dynastream", "--profile", "local", "describe", prefix], profileEnv), [
    a,
    b,
    `${prefix}-c`,
  ]);
});

test("bash: AWS unreachable or silent: nothing offered, exit 0, no message", async (t) => {
  // A server that accepts connections and never answers: only the one-second budget ends the call.
  const sockets = new Set<import("node:net").Socket>();
  const silent: Server = createServer((s) => {
    sockets.add(s);
  });
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  const r = await runCli(["completion", "--list-tables", "--endpoint-url", url], {
    env: { ...baseEnv(), XDG_CACHE_HOME: join(dir, "xdg-silent") },
  });
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "");
  const none = cliEnv("http://127.0.0.1:9");
  delete (none as Record<string, string | undefined>).AWS_ACCESS_KEY_ID;
  const r2 = await runCli(["completion", "--list-tables"], {
    env: { ...none, XDG_CACHE_HOME: join(dir, "xdg-none") },
  });
  assert.deepEqual([r2.code, r2.stdout, r2.stderr], [0, "", ""]);
});

test("completion without a shell, or an unknown one: usage error with the install line", async () => {
  const r = await runCli(["completion", "tcsh"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown shell "tcsh"/);
  assert.match(r.stderr, /hint: dynastream completion bash >/);
  assert.equal((await runCli(["completion"])).code, 2);
});

/**
 * Types `line` and Tab into an interactive zsh (compinit, then the script) on a pseudo-terminal
 * (zsh/zpty), and returns the command line as zsh completed it (a key bound to write $BUFFER).
 */
function zshComplete(line: string, env: Record<string, string>): string {
  const out = join(dir, `zsh-buffer-${Math.random().toString(36).slice(2)}`);
  const driver = [
    "zmodload zsh/zpty",
    "zpty z zsh -f -i",
    `zpty -w z "PS1='> '; autoload -U compinit; compinit -u -D; source \${(q)1}; setopt nobeep"`,
    `zpty -w z "dump() { print -r -- \\"\\$BUFFER\\" > \${(q)3} }; zle -N dump; bindkey '^X' dump; print READY"`,
    "while zpty -r z line; do [[ $line == *READY* ]] && break; done",
    `zpty -w -n z "$2"$'\\t'`,
    "sleep 1",
    `zpty -w -n z $'\\x18'`,
    "for i in {1..150}; do [[ -s $3 ]] && break; sleep 0.2; done",
    "zpty -d z",
  ].join("\n");
  const r = spawnSync("zsh", ["-f", "-c", driver, "zsh", scripts.zsh!, line, out], {
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  try {
    return readFileSync(out, "utf8").replace(/\n$/, "");
  } finally {
    rmSync(out, { force: true });
  }
}

test("zsh: Tab in an interactive zsh (compinit + the script) completes flags, --flag=value, tables and @files", {
  skip: have("zsh") ? false : "zsh is not installed (apt-get install -y zsh)",
}, async () => {
  const parse = spawnSync("zsh", ["-n", scripts.zsh!], { encoding: "utf8" });
  assert.equal(parse.status, 0, parse.stderr);
  const env = { ...baseEnv(), XDG_CACHE_HOME: join(dir, "xdg-zsh"), DYNASTREAM_COMPLETION_TIMEOUT: "30s" };
  assert.equal(zshComplete("dynastream tail --fr", env), "dynastream tail --from ");
  assert.equal(zshComplete("dynastream --output=js", env), "dynastream --output=json ");
  const table = await createTable(endpoint, { name: uniqueName("zsh"), viewType: null });
  assert.equal(
    zshComplete(`dynastream describe ${table.slice(0, -2)}`, env),
    `dynastream describe ${table} `,
  );
  const base = join(files, "orders");
  assert.equal(
    zshComplete(`dynastream tail --filter @${base}.j`, env),
    `dynastream tail --filter @${base}.json`, // a file name: zsh adds no space after it
  );
});

test("fish: the script parses and completes commands, flags, values, files after @ and tables", {
  skip: have("fish") ? false : "fish is not installed (apt-get install -y fish)",
}, async () => {
  const parse = spawnSync("fish", ["--no-execute", scripts.fish!], { encoding: "utf8" });
  assert.equal(parse.status, 0, parse.stderr);
  const table = await createTable(endpoint, { name: uniqueName("fish"), viewType: null });
  const complete = (line: string): string[] => {
    const r = spawnSync("fish", ["--no-config", "-c", `source ${q(scripts.fish!)}; complete -C ${q(line)}`], {
      env: { ...baseEnv(), XDG_CACHE_HOME: join(dir, "xdg-fish"), DYNASTREAM_COMPLETION_TIMEOUT: "30s" },
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("\t")[0] ?? "");
  };
  assert.ok(complete("dynastream d").includes("doctor"));
  assert.deepEqual(complete("dynastream tail --fr"), ["--from"]);
  assert.deepEqual(complete("dynastream tail --from ").sort(), ["15m", "1h", "latest", "trim-horizon"]);
  assert.deepEqual(complete("dynastream tail -o ").sort(), ["dynamodb-json", "json", "pretty", "raw"]);
  assert.deepEqual(complete("dynastream describe -o ").sort(), ["json", "pretty"]);
  assert.deepEqual(complete("dynastream enable T --precision ").sort(), ["microsecond", "millisecond"]);
  assert.deepEqual(complete(`dynastream invoke ${join(files, "oth")}`), [join(files, "other.txt")]);
  assert.deepEqual(complete(`dynastream filter-test --pattern @${join(files, "orders.j")}`), [
    `@${join(files, "orders.json")}`,
  ]);
  assert.ok(complete("dynastream describe fish").includes(table));
});
