// On a terminal, `disable` asks before it acts. `script` gives the binary a real pseudo-terminal.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { before, test } from "node:test";
import { BIN, runCli } from "../helpers/cli.js";
import { cliEnv, createTable, ddbEndpoint } from "../helpers/ddb.js";

const hasScript = spawnSync("script", ["--version"]).status === 0;
let endpoint = "";
before(async () => {
  endpoint = await ddbEndpoint();
});

function onTty(
  args: string[],
  answer: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const cmd = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
    const child = spawn("script", ["-qec", cmd, "/dev/null"], {
      env: { ...env, TERM: "xterm" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    let answered = false;
    const onData = (d: Buffer): void => {
      output += d.toString("utf8");
      if (!answered && /\[y\/N\]/.test(output)) {
        answered = true;
        child.stdin.write(`${answer}\n`);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function status(table: string, env: Record<string, string>): Promise<string> {
  const d = await runCli(["describe", table, "--json"], { env });
  return (JSON.parse(d.stdout) as { status: string }).status;
}

test("disable on a terminal: 'n' changes nothing, 'y' disables", {
  skip: !hasScript && "no `script` command",
}, async () => {
  const env = cliEnv(endpoint);
  const table = await createTable(endpoint);
  const no = await onTty(["disable", table], "n", env);
  assert.match(no.output, /irreversible/);
  assert.match(no.output, /Disable the stream of .*\? \[y\/N\]/);
  assert.match(no.output, /cancelled; nothing was changed/);
  assert.equal(no.code, 2);
  assert.equal(await status(table, env), "ENABLED");

  const yes = await onTty(["disable", table], "y", env);
  assert.equal(yes.code, 0, yes.output);
  assert.match(yes.output, /disabled/);
  assert.equal(await status(table, env), "DISABLED");
});
