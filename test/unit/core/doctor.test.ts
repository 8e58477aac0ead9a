// doctor's reasoning, pure: which provider of the SDK's chain answers, the Node line's support, the
// exit code, the IAM fix. The shared files' format and the region and endpoints in effect are
// aws-config.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { SharedFiles } from "../../../src/core/aws-config/shared-files.js";
import { doctorExitCode } from "../../../src/core/doctor/check.js";
import {
  credentialsFix,
  detectCredentialSource,
  sdkSourceName,
} from "../../../src/core/doctor/credentials.js";
import { nodeCheck } from "../../../src/core/doctor/node.js";
import { denialFix, permissionResource } from "../../../src/core/doctor/permissions.js";
import { files } from "../../helpers/aws-config.js";

const noFiles: SharedFiles = { ...files, config: undefined, credentials: undefined };

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
