// `--help`, `--version` and offline commands must not load the AWS SDK (start-up time).
import assert from "node:assert/strict";
import { test } from "node:test";
import { runWithSdkProbe } from "../helpers/sdk-probe.js";

function loaded(args: string[]): string {
  const r = runWithSdkProbe(args);
  assert.equal(r.status, 0, r.stderr);
  return r.stderr;
}

test("--help and --version do not import the AWS SDK", () => {
  assert.doesNotMatch(loaded(["--help"]), /LOADED/);
  assert.doesNotMatch(loaded(["--version"]), /LOADED/);
  assert.doesNotMatch(loaded(["shards", "--help"]), /LOADED/);
});

test("the hook does see the SDK when a command calls AWS (control)", () => {
  const r = runWithSdkProbe(["describe", "Orders", "--endpoint-url", "http://127.0.0.1:9"], {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "x",
    AWS_SECRET_ACCESS_KEY: "y",
  });
  assert.match(r.stderr, /LOADED @aws-sdk\/client-dynamodb/);
});
