// The AWS shared config, pure (src/core/aws-config/): the shared files' format, a profile merged from
// both files, the region and the endpoints in effect.
import assert from "node:assert/strict";
import { test } from "node:test";
import { configuredEndpoints, resolveRegion } from "../../../src/core/aws-config/endpoints.js";
import { findProfile, parseIni } from "../../../src/core/aws-config/shared-files.js";
import { CONFIG, files } from "../../helpers/aws-config.js";

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
