// Credentials, region and endpoints are resolved as the AWS CLI does: profiles from the shared
// files, AWS_DEFAULT_REGION, and the service-specific AWS_ENDPOINT_URL_* variables.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { cliEnv, createTable, ddbEndpoint, TEST_CREDENTIALS } from "../helpers/ddb.js";

let endpoint = "";
let table = "";
const dir = mkdtempSync(join(tmpdir(), "dynastream-cfg-"));
after(() => rmSync(dir, { recursive: true, force: true }));
before(async () => {
  endpoint = await ddbEndpoint();
  table = await createTable(endpoint);
});

function bareEnv(extra: Record<string, string>): Record<string, string> {
  const {
    AWS_ACCESS_KEY_ID: _a,
    AWS_SECRET_ACCESS_KEY: _s,
    AWS_REGION: _r,
    AWS_ENDPOINT_URL: _e,
    ...rest
  } = cliEnv(endpoint);
  return { ...rest, ...extra };
}

test("--profile reads credentials and region from the shared files", async () => {
  const config = join(dir, "config");
  const creds = join(dir, "credentials");
  writeFileSync(config, "[profile team]\nregion = us-east-1\n");
  writeFileSync(
    creds,
    `[team]\naws_access_key_id = ${TEST_CREDENTIALS.accessKeyId}\naws_secret_access_key = ${TEST_CREDENTIALS.secretAccessKey}\n`,
  );
  const env = bareEnv({
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: creds,
    AWS_ENDPOINT_URL: endpoint,
  });
  const r = await runCli(["describe", table, "--profile", "team", "--json"], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { tableName: string }).tableName, table);

  const viaEnv = await runCli(["describe", table, "--json"], { env: { ...env, AWS_PROFILE: "team" } });
  assert.equal(viaEnv.code, 0, viaEnv.stderr);

  const missing = await runCli(["describe", table, "--profile", "nope"], { env });
  assert.notEqual(missing.code, 0);
  assert.doesNotMatch(missing.stderr, /\n\s+at /);
});

test("AWS_DEFAULT_REGION is honoured like the AWS CLI does; no region at all is a clear usage error", async () => {
  const base = bareEnv({
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL: endpoint,
  });
  const r = await runCli(["describe", table, "--json"], {
    env: { ...base, AWS_DEFAULT_REGION: "us-east-1" },
  });
  assert.equal(r.code, 0, r.stderr);
  const none = await runCli(["describe", table], { env: base });
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /error: no AWS region configured/);
  assert.match(none.stderr, /hint: pass --region/);
});

test("service-specific AWS_ENDPOINT_URL_DYNAMODB and _DYNAMODB_STREAMS are honoured", async () => {
  const env = bareEnv({
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoint,
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
  });
  const r = await runCli(["shards", table, "--json"], { env });
  assert.equal(r.code, 0, r.stderr);
  // and the streams variable really is the one used for DescribeStream:
  const wrongStreams = await runCli(["shards", table, "--json"], {
    env: { ...env, AWS_ENDPOINT_URL_DYNAMODB_STREAMS: "http://127.0.0.1:9" },
    timeoutMs: 60_000,
  });
  assert.equal(wrongStreams.code, 5, wrongStreams.stderr);
  // --endpoint-url overrides them all
  const over = await runCli(["shards", table, "--json", "--endpoint-url", endpoint], {
    env: {
      ...env,
      AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:9",
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: "http://127.0.0.1:9",
    },
  });
  assert.equal(over.code, 0, over.stderr);
});

test("--profile's endpoint_url and services section are used, not the default profile's or AWS_PROFILE's", async () => {
  // The SDK alone would read endpoint_url from AWS_PROFILE's profile (else default) whatever the
  // client's profile: here those point at a port nothing listens on.
  const dead = "http://127.0.0.1:9";
  const config = join(dir, "config-endpoints");
  const keys = `aws_access_key_id = ${TEST_CREDENTIALS.accessKeyId}\naws_secret_access_key = ${TEST_CREDENTIALS.secretAccessKey}\n`;
  writeFileSync(
    config,
    `[default]\nregion = us-east-1\nendpoint_url = ${dead}\n${keys}` +
      `[profile other]\nregion = us-east-1\nendpoint_url = ${dead}\n${keys}` +
      `[profile local]\nregion = us-east-1\nendpoint_url = ${endpoint}\n${keys}` +
      `[profile svc]\nregion = us-east-1\nendpoint_url = ${dead}\nservices = local-svcs\n${keys}` +
      `[services local-svcs]\ndynamodb =\n  endpoint_url = ${endpoint}\ndynamodb_streams =\n  endpoint_url = ${endpoint}\n`,
  );
  const env = bareEnv({ AWS_CONFIG_FILE: config, AWS_PROFILE: "other" });
  for (const profile of ["local", "svc"]) {
    const r = await runCli(["shards", table, "--profile", profile, "--json"], { env });
    assert.equal(r.code, 0, `${profile}: ${r.stderr}`);
  }
  // What doctor reports as the endpoint in effect is where the calls go.
  const doctor = await runCli(["doctor", table, "--profile", "local", "--json"], { env });
  assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
  const checks = (
    JSON.parse(doctor.stdout) as { checks: Array<{ id: string; status: string; data?: { url?: string } }> }
  ).checks;
  assert.equal(checks.find((c) => c.id === "endpoint")?.data?.url, endpoint);
  assert.equal(checks.find((c) => c.id === "dynamodb:GetRecords")?.status, "ok");
  // AWS_ENDPOINT_URL_<SERVICE> still comes before the profile's settings.
  const over = await runCli(["shards", table, "--profile", "local", "--json"], {
    env: { ...env, AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dead },
  });
  assert.equal(over.code, 5, over.stderr);
});
