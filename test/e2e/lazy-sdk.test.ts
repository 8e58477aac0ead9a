// `--help`, `--version` and offline commands must not load the AWS SDK (start-up time).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { BIN } from "../helpers/cli.js";

const HOOK = `
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.includes("@aws-sdk")) process.stderr.write("LOADED " + specifier + "\\\\n");
  return r;
}\`));
`;

function loaded(args: string[]): string {
  const r = spawnSync(
    process.execPath,
    ["--import", `data:text/javascript,${encodeURIComponent(HOOK)}`, BIN, ...args],
    {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "" },
    },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stderr;
}

test("--help and --version do not import the AWS SDK", () => {
  assert.doesNotMatch(loaded(["--help"]), /LOADED/);
  assert.doesNotMatch(loaded(["--version"]), /LOADED/);
  assert.doesNotMatch(loaded(["shards", "--help"]), /LOADED/);
});

test("the hook does see the SDK when a command calls AWS (control)", () => {
  const r = spawnSync(
    process.execPath,
    [
      "--import",
      `data:text/javascript,${encodeURIComponent(HOOK)}`,
      BIN,
      "describe",
      "Orders",
      "--endpoint-url",
      "http://127.0.0.1:9",
    ],
    {
      encoding: "utf8",
      env: {
        PATH: process.env.PATH ?? "",
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "x",
        AWS_SECRET_ACCESS_KEY: "y",
      },
    },
  );
  assert.match(r.stderr, /LOADED @aws-sdk\/client-dynamodb/);
});
