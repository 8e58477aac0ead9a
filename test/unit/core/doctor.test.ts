// doctor's reasoning, pure: the shared files' format, which provider of the SDK's chain answers,
// the region and endpoints in effect, the Node line's support, the exit code.
import assert from "node:assert/strict";
import { test } from "node:test";
import { doctorExitCode } from "../../../src/core/doctor/check.js";
import {
  credentialsFix,
  detectCredentialSource,
  sdkSourceName,
} from "../../../src/core/doctor/credentials.js";
import { configuredEndpoints, resolveRegion } from "../../../src/core/doctor/endpoints.js";
import { nodeCheck } from "../../../src/core/doctor/node.js";
import { denialFix, permissionResource } from "../../../src/core/doctor/permissions.js";
import { findProfile, parseIni, type SharedFiles } from "../../../src/core/doctor/shared-files.js";

const CONFIG = `
# a comment
[default]
region = eu-west-1

[profile dev]
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = us-west-2

[sso-session my-sso]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_account_id = 111122223333

[profile proc]
credential_process = /usr/local/bin/creds --json

[profile role]
role_arn = arn:aws:iam::111122223333:role/R
source_profile = default

[profile web]
role_arn = arn:aws:iam::111122223333:role/W
web_identity_token_file = /var/run/token

[profile local]
endpoint_url = http://localhost:8000
services = local-svcs

[services local-svcs]
dynamodb =
  endpoint_url = http://localhost:8001
; another comment
[profile empty]
output = json
`;
const CREDENTIALS = `[default]
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = secret/EXAMPLE
[keys]
aws_access_key_id = AKIDKEYS
aws_secret_access_key = secret2
`;

const files: SharedFiles = {
  configPath: "/h/.aws/config",
  credentialsPath: "/h/.aws/credentials",
  config: parseIni(CONFIG),
  credentials: parseIni(CREDENTIALS),
};
const noFiles: SharedFiles = { ...files, config: undefined, credentials: undefined };

test("parseIni reads sections, keys, comments and indented sub-sections", () => {
  const ini = parseIni(CONFIG);
  assert.equal(ini.get("profile dev")?.values.sso_session, "my-sso");
  assert.equal(ini.get("sso-session my-sso")?.values.sso_region, "us-east-1");
  assert.deepEqual(ini.get("services local-svcs")?.sub.dynamodb, { endpoint_url: "http://localhost:8001" });
  assert.equal(ini.get("profile proc")?.values.credential_process, "/usr/local/bin/creds --json");
  assert.equal(ini.has("# a comment"), false);
});

test("findProfile merges both files (the credentials file wins) and names them", () => {
  const d = findProfile(files, "default");
  assert.equal(d?.values.region, "eu-west-1");
  assert.equal(d?.values.aws_access_key_id, "AKIDEXAMPLE");
  assert.deepEqual(d?.files, ["/h/.aws/config", "/h/.aws/credentials"]);
  assert.deepEqual(findProfile(files, "keys")?.files, ["/h/.aws/credentials"]);
  assert.equal(findProfile(files, "nope"), undefined);
  assert.deepEqual(findProfile(files, "local")?.services?.dynamodb, {
    endpoint_url: "http://localhost:8001",
  });
});

test("credentials: each provider of the default chain, in the SDK's order", () => {
  const keys = { AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "s" };
  assert.equal(detectCredentialSource(keys, undefined, files).kind, "environment");
  assert.match(
    detectCredentialSource({ ...keys, AWS_SESSION_TOKEN: "t" }, undefined, files).description,
    /AWS_SESSION_TOKEN/,
  );
  // A named profile wins over the environment's keys, with a warning (as the SDK does).
  const both = detectCredentialSource({ ...keys, AWS_PROFILE: "keys" }, undefined, files);
  assert.equal(both.kind, "profile-keys");
  assert.match(both.warnings[0] ?? "", /AWS_PROFILE keys.*the profile is used/);
  assert.equal(detectCredentialSource({}, undefined, files).kind, "profile-keys"); // default profile
  assert.equal(detectCredentialSource({}, "dev", files).kind, "sso");
  assert.equal(detectCredentialSource({}, "dev", files).ssoCacheKey, "my-sso");
  assert.equal(detectCredentialSource({}, "legacy", files).ssoCacheKey, "https://legacy.awsapps.com/start");
  assert.equal(detectCredentialSource({}, "proc", files).kind, "credential-process");
  assert.doesNotMatch(detectCredentialSource({}, "proc", files).description, /creds --json/);
  assert.equal(detectCredentialSource({}, "role", files).kind, "assume-role");
  assert.equal(detectCredentialSource({}, "web", files).kind, "web-identity-profile");
  assert.equal(detectCredentialSource({}, "empty", files).kind, "none");
  const missing = detectCredentialSource({}, "nope", files);
  assert.equal(missing.missingProfile, "nope");
  assert.match(credentialsFix(missing), /aws configure --profile nope/);
  assert.equal(
    detectCredentialSource({ AWS_WEB_IDENTITY_TOKEN_FILE: "/t", AWS_ROLE_ARN: "arn:r" }, undefined, noFiles)
      .kind,
    "web-identity",
  );
  assert.equal(
    detectCredentialSource({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/x" }, undefined, noFiles).kind,
    "container-role",
  );
  assert.equal(detectCredentialSource({}, undefined, noFiles).kind, "instance-role");
  assert.equal(
    detectCredentialSource({ AWS_EC2_METADATA_DISABLED: "true" }, undefined, noFiles).kind,
    "none",
  );
});

test("credentials: descriptions never carry a secret; fixes name the way back in", () => {
  for (const p of ["default", "keys"]) {
    const d = detectCredentialSource({}, p, files).description;
    assert.doesNotMatch(d, /AKID|secret/);
  }
  assert.equal(
    credentialsFix(detectCredentialSource({}, "dev", files)),
    "sign in again: aws sso login --profile dev",
  );
});

test("the SDK's own name for the provider that answered ($source)", () => {
  assert.equal(sdkSourceName({ CREDENTIALS_ENV_VARS: "g" }), "environment");
  assert.equal(sdkSourceName({ CREDENTIALS_PROFILE_SSO: "r", CREDENTIALS_SSO: "s" }), "SSO");
  assert.equal(
    sdkSourceName({ CREDENTIALS_PROFILE_PROCESS: "v", CREDENTIALS_PROCESS: "w" }),
    "credential_process",
  );
  assert.equal(sdkSourceName(undefined), undefined);
});

test("region: --region, AWS_REGION, AWS_DEFAULT_REGION, then the profile", () => {
  const d = findProfile(files, "default");
  assert.deepEqual(resolveRegion("ap-south-1", { AWS_REGION: "x" }, d, "/c"), {
    region: "ap-south-1",
    source: "--region",
  });
  assert.equal(
    resolveRegion(undefined, { AWS_REGION: "a", AWS_DEFAULT_REGION: "b" }, d, "/c")?.source,
    "AWS_REGION",
  );
  assert.equal(resolveRegion(undefined, { AWS_DEFAULT_REGION: "b" }, d, "/c")?.source, "AWS_DEFAULT_REGION");
  assert.deepEqual(resolveRegion(undefined, {}, d, "/c"), {
    region: "eu-west-1",
    source: "profile default in /c",
  });
  assert.equal(resolveRegion(undefined, {}, undefined, "/c"), undefined);
});

test("endpoints: --endpoint-url, then AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's", () => {
  const by = (list: ReturnType<typeof configuredEndpoints>) =>
    Object.fromEntries(list.map((e) => [e.service, `${e.url} ${e.source}`]));
  assert.equal(configuredEndpoints("http://f", { AWS_ENDPOINT_URL: "http://e" }, undefined, "/c").length, 7);
  assert.equal(
    by(configuredEndpoints("http://f", { AWS_ENDPOINT_URL: "http://e" }, undefined, "/c")).STS,
    "http://f --endpoint-url",
  );
  const env = {
    AWS_ENDPOINT_URL: "http://e",
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: "http://s",
    AWS_ENDPOINT_URL_KINESIS: "http://k",
    AWS_ENDPOINT_URL_SQS: "http://q",
  };
  assert.deepEqual(by(configuredEndpoints(undefined, env, undefined, "/c")), {
    DYNAMODB: "http://e AWS_ENDPOINT_URL",
    DYNAMODB_STREAMS: "http://s AWS_ENDPOINT_URL_DYNAMODB_STREAMS",
    LAMBDA: "http://e AWS_ENDPOINT_URL",
    CLOUDWATCH: "http://e AWS_ENDPOINT_URL",
    KINESIS: "http://k AWS_ENDPOINT_URL_KINESIS",
    SQS: "http://q AWS_ENDPOINT_URL_SQS",
    STS: "http://e AWS_ENDPOINT_URL",
  });
  assert.deepEqual(
    configuredEndpoints(undefined, { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }, undefined, "/c"),
    [],
  );
  const local = by(configuredEndpoints(undefined, {}, findProfile(files, "local"), "/c"));
  assert.equal(local.DYNAMODB, "http://localhost:8001 services local-svcs.dynamodb in /c");
  assert.equal(local.LAMBDA, "http://localhost:8000 profile local endpoint_url in /c");
});

test("node: past end of life is a warning that names the SDK's coming minimum; supported lines pass", () => {
  const old = nodeCheck("v20.20.2", "2026-12-07");
  assert.equal(old.status, "warn");
  assert.match(old.summary, /end of life \(2026-04-30\).*Node 22 or newer/);
  assert.match(old.fix ?? "", /Node 24/);
  assert.equal(nodeCheck("v20.20.2", "2026-04-01").status, "ok");
  assert.equal(nodeCheck("v24.1.0", "2026-12-07").status, "ok");
  assert.equal(nodeCheck("v25.0.0", "2026-12-07").status, "warn"); // odd line, ended 2026-06-01
  assert.equal(nodeCheck("v18.0.0", "2026-12-07").status, "fail");
  assert.equal(nodeCheck("v30.0.0", "2026-12-07").status, "ok"); // unknown future line
});

test("exit code: 4 without credentials, 1 when a check failed, 0 with only warnings", () => {
  const ok = { id: "a", status: "ok" as const, summary: "" };
  const warn = { id: "b", status: "warn" as const, summary: "" };
  const fail = { id: "c", status: "fail" as const, summary: "" };
  assert.equal(doctorExitCode([ok, warn], false), 0);
  assert.equal(doctorExitCode([ok, fail], false), 1);
  assert.equal(doctorExitCode([fail], true), 4);
});

test("permissions: a denial's fix names the resource: table, its streams, the Kinesis stream, the queue", () => {
  const table = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders";
  const ks = "arn:aws:kinesis:us-east-1:123456789012:stream/orders";
  const q = "arn:aws:sqs:us-east-1:123456789012:orders-dlq";
  assert.equal(permissionResource("dynamodb:DescribeKinesisStreamingDestination", table), table);
  assert.equal(permissionResource("dynamodb:GetRecords", table), `${table}/stream/*`);
  assert.equal(permissionResource("kinesis:GetRecords", table, ks), ks);
  assert.equal(permissionResource("sqs:GetQueueAttributes", table, q), q);
  assert.equal(permissionResource("lambda:ListEventSourceMappings", table), "*");
  assert.equal(
    denialFix("kinesis:ListShards", ks, undefined),
    `allow kinesis:ListShards on ${ks} (used by tail --kinesis, shards --kinesis, invoke --kinesis, lag --kcl-table)`,
  );
});
