// The one-time Node end-of-life note of the built binary, on the Node running the tests: on a
// terminal's stderr (a pseudo-terminal from `script`), once per cache folder, never on stdout, not
// with -q, not on a pipe. On a supported Node: never. (The unit test fakes the version.)
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pastEndOfLife } from "../../src/core/node-support.js";
import { BIN, runCli } from "../helpers/cli.js";

const hasScript = spawnSync("script", ["--version"]).status === 0;
const dir = mkdtempSync(join(tmpdir(), "dynastream-node-notice-e2e-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const past = pastEndOfLife(process.version, new Date().toISOString().slice(0, 10));
const RECORDS = join(dir, "r.ndjson");
writeFileSync(
  RECORDS,
  `${JSON.stringify({ eventID: "1", eventName: "INSERT", dynamodb: { Keys: { pk: { S: "a" } }, SequenceNumber: "1", StreamViewType: "KEYS_ONLY" } })}\n`,
);

/** Whether the note was recorded as shown in the cache folder (which also holds compiled code). */
function marked(cache: string): boolean {
  return existsSync(
    join(cache, "dynastream", `node-${process.versions.node.split(".")[0]}-end-of-life-noticed`),
  );
}

/** Runs the binary with stderr on a pseudo-terminal and stdout into a file; returns both. */
function onTerminal(
  args: string[],
  cache: string,
  extra: Record<string, string> = {},
): { stderr: string; stdout: string; code: number | null } {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const q = (a: string): string => `'${a.replace(/'/g, "'\\''")}'`;
  const cmd = `${[process.execPath, BIN, ...args].map(q).join(" ")} > ${q(out)}`;
  const r = spawnSync("script", ["-qec", cmd, "/dev/null"], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      XDG_CACHE_HOME: cache,
      TERM: "dumb",
      NO_COLOR: "1",
      ...extra,
    },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { stderr: r.stdout, stdout: readFileSync(out, "utf8"), code: r.status };
}

test("on a terminal: the note once per cache folder, before the output; stdout stays clean JSON", {
  skip: !hasScript && "no script(1)",
}, () => {
  const cache = join(dir, "tty");
  const args = ["tail", "--input", RECORDS, "--json"];
  const first = onTerminal(args, cache);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(JSON.parse(first.stdout.trim()).eventID, "1"); // stdout: the record only
  if (!past) {
    assert.doesNotMatch(first.stderr, /end of life/);
    assert.equal(
      existsSync(
        join(cache, "dynastream", `node-${process.versions.node.split(".")[0]}-end-of-life-noticed`),
      ),
      false,
    );
    return;
  }
  assert.match(
    first.stderr,
    new RegExp(
      `^note: Node ${process.version.replace(/\./g, "\\.")} is past its end of life \\(${past.endOfLife}\\), no more security fixes.*Install Node 24 or 22 \\(LTS\\)`,
    ),
  );
  assert.ok(marked(cache));
  const second = onTerminal(args, cache);
  assert.equal(second.code, 0);
  assert.doesNotMatch(second.stderr, /end of life/);
});

test("-q and DYNASTREAM_NO_NODE_NOTICE=1: no note, nothing recorded", {
  skip: !hasScript && "no script(1)",
}, () => {
  const cache = join(dir, "quiet");
  assert.doesNotMatch(onTerminal(["tail", "--input", RECORDS, "--json", "-q"], cache).stderr, /end of life/);
  assert.doesNotMatch(
    onTerminal(["tail", "--input", RECORDS, "--json"], cache, { DYNASTREAM_NO_NODE_NOTICE: "1" }).stderr,
    /end of life/,
  );
  assert.equal(marked(cache), false);
  // Later, without -q, it is still due.
  assert.equal(
    /end of life/.test(onTerminal(["tail", "--input", RECORDS, "--json"], cache).stderr),
    past !== undefined,
  );
});

test("not on a pipe (scripts, CI logs), even when asked for", async () => {
  const cache = join(dir, "pipe");
  const r = await runCli(["tail", "--input", RECORDS, "--json"], {
    env: { PATH: process.env.PATH ?? "", XDG_CACHE_HOME: cache, DYNASTREAM_NO_NODE_NOTICE: "" },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.equal(marked(cache), false);
});
