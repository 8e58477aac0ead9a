// stdout to a file, a pipe (FIFO) or a socket pair (what spawn gives a child): the same bytes whether
// written directly (small outputs) or handed over to process.stdout (large ones); a reader that
// leaves early ends the run quietly with exit 0 (src/cli/stdio.ts).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BIN, CODE_CACHE_HOME, runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "dynastream-stdio-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { PATH: process.env.PATH ?? "", XDG_CACHE_HOME: CODE_CACHE_HOME };

// 3,000 records: about 120 KB of output, past what is written directly to a pipe.
const records = join(dir, "records.ndjson");
writeFileSync(
  records,
  Array.from(
    { length: 3000 },
    (_, i) => `{"eventName":"INSERT","dynamodb":{"Keys":{"pk":{"S":"key-${i}"}}}}\n`,
  ).join(""),
);
const FILTER = ["filter-test", "--pattern", '{"eventName":["INSERT"]}', "--records", records];
const quote = (a: string): string => `'${a.replace(/'/g, "'\\''")}'`;
const shell = (args: string[]): string => [process.execPath, BIN, ...args].map(quote).join(" ");

/** stdout written to a regular file. */
function toFile(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const file = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(file, "w");
  try {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      env,
      stdio: ["ignore", fd, "pipe"],
      encoding: "utf8",
    });
    return { code: r.status, stdout: readFileSync(file, "utf8"), stderr: r.stderr };
  } finally {
    closeSync(fd);
  }
}

/** stdout through a shell pipe (a FIFO) into cat. */
function throughFifo(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync("bash", ["--norc", "-o", "pipefail", "-c", `${shell(args)} | cat`], {
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("help and a large filter-test output are the same bytes to a socket pair, a file and a FIFO", async () => {
  for (const args of [["--help"], FILTER]) {
    const viaSocket = await runCli(args, { env });
    assert.equal(viaSocket.code, 0, viaSocket.stderr);
    for (const other of [toFile(args), throughFifo(args)]) {
      assert.equal(other.code, 0, other.stderr);
      assert.equal(other.stderr, viaSocket.stderr);
      assert.equal(other.stdout, viaSocket.stdout);
    }
  }
  const lines = (await runCli(FILTER, { env })).stdout.split("\n");
  assert.ok(lines.includes('#3000  MATCH filter #1   INSERT {"pk":"key-2999"}'), lines.slice(-4).join("\n"));
});

test("a reader that leaves early (| head -1) ends the run with exit 0 and nothing on stderr", () => {
  for (const args of [FILTER, [...FILTER, "--json"], ["--help"]]) {
    const r = spawnSync(
      "bash",
      ["--norc", "-c", `${shell(args)} | head -1; echo "status=\${PIPESTATUS[0]}" >&2`],
      {
        env,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    assert.equal(r.stdout.split("\n").filter((l) => l !== "").length, 1, r.stdout);
    assert.equal(r.stderr, "status=0\n");
  }
});
