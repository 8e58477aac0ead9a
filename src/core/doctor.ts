/**
 * `dynastream doctor`'s reasoning, pure: which Node lines are supported, where the AWS SDK will take
 * credentials, the region and each endpoint from (given the environment, the flags and the parsed
 * shared config files), and the verdict of a run's checks. No I/O: src/aws/doctor.ts reads the files
 * and asks AWS.
 */

import { NODE_END_OF_LIFE, nodeMajor, SDK_MIN_NODE } from "./node-support.js";

export { NODE_END_OF_LIFE, SDK_MIN_NODE };

/** A check's outcome: ✓ ok, ! warn (works, but should be fixed), ✗ fail, - skipped (could not run). */
export type CheckStatus = "ok" | "warn" | "fail" | "skip";

/** One line of the report. */
export interface Check {
  /** Stable id for scripts: `node`, `credentials`, `region`, `endpoint`, `identity`, `dynamodb:DescribeTable`… */
  id: string;
  status: CheckStatus;
  /** What was found, one line. */
  summary: string;
  /** The fix, when the status is not ok. */
  fix?: string;
  /** Structured facts for `--json` (never a secret). */
  data?: Record<string, unknown>;
}

/** The exit code of a doctor run: 4 without usable credentials, 1 when any other check failed, else 0. */
export function doctorExitCode(checks: readonly Check[], credentialsMissing: boolean): 0 | 1 | 4 {
  if (credentialsMissing) return 4;
  return checks.some((c) => c.status === "fail") ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------
// Node
// ---------------------------------------------------------------------------------------------------

/** The Node majors the test suite runs on (.ci/run). */
export const NODE_TESTED = [20, 22, 24, 26] as const;

/** The Node check: past end of life (or below what future SDK releases need) is a warning, never a failure. */
export function nodeCheck(version: string, todayIso: string): Check {
  const major = nodeMajor(version);
  const eol = NODE_END_OF_LIFE[major];
  const data = { version, endOfLife: eol ?? null, tested: NODE_TESTED.includes(major as never) };
  const upgrade = "install Node 24 (LTS) or 22 (LTS); dynastream is tested on 20, 22, 24 and 26";
  if (Number.isNaN(major) || major < 20) {
    return {
      id: "node",
      status: "fail",
      summary: `Node ${version}: dynastream needs Node 20 or newer`,
      fix: upgrade,
      data,
    };
  }
  if (eol !== undefined && eol < todayIso) {
    const sdk =
      major < SDK_MIN_NODE
        ? `; AWS SDK for JavaScript releases after the first week of January 2027 need Node ${SDK_MIN_NODE} or newer`
        : "";
    return {
      id: "node",
      status: "warn",
      summary: `Node ${version}: past its end of life (${eol}), no more security fixes${sdk}`,
      fix: upgrade,
      data,
    };
  }
  return {
    id: "node",
    status: "ok",
    summary: `Node ${version}${eol ? ` (supported until ${eol})` : ""}`,
    data,
  };
}

// ---------------------------------------------------------------------------------------------------
// Shared config and credentials files
// ---------------------------------------------------------------------------------------------------

/** One section of an INI file: its keys, and its sub-sections (`dynamodb =` then indented keys). */
export interface IniSection {
  values: Record<string, string>;
  sub: Record<string, Record<string, string>>;
}

/**
 * Parses the AWS shared config or credentials file format
 * (https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html): `[section]` headers, `key = value`
 * lines, full-line comments with `#` or `;`, and indented sub-section keys under a key whose value is
 * empty (the `services` sections). Section names are kept as written (`profile dev`, `sso-session x`).
 */
export function parseIni(text: string): Map<string, IniSection> {
  const sections = new Map<string, IniSection>();
  let current: IniSection | undefined;
  let subKey: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, "");
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) continue;
    const header = /^\[\s*([^\]]+?)\s*\]/.exec(trimmed);
    if (header && !/^\s/.test(line)) {
      const name = (header[1] ?? "").replace(/\s+/g, " ");
      current = sections.get(name) ?? { values: {}, sub: {} };
      sections.set(name, current);
      subKey = undefined;
      continue;
    }
    if (!current) continue;
    const eq = trimmed.indexOf("=");
    if (eq <= 0) continue;
    const key = trimmed.slice(0, eq).trim().toLowerCase();
    const value = trimmed.slice(eq + 1).trim();
    if (/^\s/.test(line) && subKey !== undefined) {
      const sub = current.sub[subKey] ?? {};
      sub[key] = value;
      current.sub[subKey] = sub;
      continue;
    }
    if (value === "") {
      subKey = key;
      current.sub[key] ??= {};
    } else {
      subKey = undefined;
      current.values[key] = value;
    }
  }
  return sections;
}

/** The shared files as read: their paths, and their parsed text (undefined when absent or unreadable). */
export interface SharedFiles {
  configPath: string;
  credentialsPath: string;
  config: Map<string, IniSection> | undefined;
  credentials: Map<string, IniSection> | undefined;
}

/** A profile's settings merged from both files (the credentials file wins, as in the SDK), and where it was found. */
export interface ProfileSettings {
  name: string;
  values: Record<string, string>;
  /** The files that hold a section for it. */
  files: string[];
  /** The config file's `[services <name>]` section the profile names, if any. */
  services: Record<string, Record<string, string>> | undefined;
}

/** The profile `name` in the shared files, or undefined when neither file has it. */
export function findProfile(files: SharedFiles, name: string): ProfileSettings | undefined {
  const inConfig =
    files.config?.get(name === "default" ? "default" : `profile ${name}`) ??
    (name === "default" ? files.config?.get("profile default") : undefined);
  const inCredentials = files.credentials?.get(name);
  if (!inConfig && !inCredentials) return undefined;
  const values = { ...inConfig?.values, ...inCredentials?.values };
  const servicesName = values.services;
  return {
    name,
    values,
    files: [...(inConfig ? [files.configPath] : []), ...(inCredentials ? [files.credentialsPath] : [])],
    services: servicesName ? files.config?.get(`services ${servicesName}`)?.sub : undefined,
  };
}

// ---------------------------------------------------------------------------------------------------
// Credentials: where the SDK's default chain will take them
// ---------------------------------------------------------------------------------------------------

export type CredentialKind =
  | "environment"
  | "profile-keys"
  | "assume-role"
  | "web-identity-profile"
  | "credential-process"
  | "sso"
  | "sso-legacy"
  | "console-login"
  | "web-identity"
  | "container-role"
  | "instance-role"
  | "none";

/** Where the credentials will come from, named without their values. */
export interface CredentialSource {
  kind: CredentialKind;
  /** Human description, e.g. "profile dev (SSO session my-sso) in ~/.aws/config". */
  description: string;
  /** The profile used by the chain (--profile, AWS_PROFILE, else default), when a profile is involved. */
  profile?: string;
  /** The files holding that profile. */
  files?: string[];
  /** For SSO: the session name (sso_session) or the start URL (legacy); the token cache is keyed by it. */
  ssoCacheKey?: string;
  /** Problems worth a warning even if credentials resolve (e.g. both AWS_PROFILE and keys set). */
  warnings: string[];
  /** A profile that was asked for (--profile / AWS_PROFILE) but is in neither file. */
  missingProfile?: string;
}

/** Env variables the SDK reads for credentials and endpoints. */
export type Env = Record<string, string | undefined>;

const set = (v: string | undefined): boolean => v !== undefined && v !== "";

/**
 * Which provider of the SDK's default chain (@aws-sdk/credential-provider-node) will answer, in its
 * order: environment keys (skipped when a profile is named), the named or default profile (assume
 * role, static keys, web identity, credential_process, SSO, console login, in the SDK's order), the
 * web identity variables, then the container or instance role.
 * https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
 */
export function detectCredentialSource(
  env: Env,
  profileFlag: string | undefined,
  files: SharedFiles,
): CredentialSource {
  const warnings: string[] = [];
  const named = profileFlag ?? (set(env.AWS_PROFILE) ? env.AWS_PROFILE : undefined);
  const envKeys = set(env.AWS_ACCESS_KEY_ID) && set(env.AWS_SECRET_ACCESS_KEY);
  if (!named && envKeys) {
    return {
      kind: "environment",
      description: `environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY${set(env.AWS_SESSION_TOKEN) ? ", AWS_SESSION_TOKEN" : ""}`,
      warnings,
    };
  }
  if (named && envKeys) {
    warnings.push(
      `both a profile (${profileFlag ? "--profile" : "AWS_PROFILE"} ${named}) and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set: the profile is used`,
    );
  }
  const name = named ?? "default";
  const profile = findProfile(files, name);
  if (!profile && named) {
    return {
      kind: "none",
      description: `profile ${named} is in neither ${files.configPath} nor ${files.credentialsPath}`,
      profile: named,
      warnings,
      missingProfile: named,
    };
  }
  if (profile) {
    const v = profile.values;
    const where = profile.files.join(" and ");
    const base = { profile: name, files: profile.files, warnings };
    if (set(v.role_arn) && (set(v.source_profile) || set(v.credential_source))) {
      const from = set(v.source_profile)
        ? `profile ${v.source_profile}`
        : `credential_source ${v.credential_source}`;
      return {
        kind: "assume-role",
        description: `profile ${name} in ${where}: assumes a role with ${from}`,
        ...base,
      };
    }
    if (set(v.aws_access_key_id) && set(v.aws_secret_access_key)) {
      return { kind: "profile-keys", description: `profile ${name} in ${where}: access keys`, ...base };
    }
    if (set(v.web_identity_token_file) && set(v.role_arn)) {
      return {
        kind: "web-identity-profile",
        description: `profile ${name} in ${where}: web identity token file ${v.web_identity_token_file}`,
        ...base,
      };
    }
    if (set(v.credential_process)) {
      return {
        kind: "credential-process",
        description: `profile ${name} in ${where}: credential_process`,
        ...base,
      };
    }
    if (set(v.sso_session)) {
      return {
        kind: "sso",
        description: `profile ${name} in ${where}: IAM Identity Center (SSO session ${v.sso_session})`,
        ssoCacheKey: v.sso_session,
        ...base,
      };
    }
    if (set(v.sso_start_url)) {
      return {
        kind: "sso-legacy",
        description: `profile ${name} in ${where}: IAM Identity Center (legacy, start URL ${v.sso_start_url})`,
        ssoCacheKey: v.sso_start_url,
        ...base,
      };
    }
    if (set(v.login_session)) {
      return {
        kind: "console-login",
        description: `profile ${name} in ${where}: console login session`,
        ...base,
      };
    }
    if (named) {
      return {
        kind: "none",
        description: `profile ${name} in ${where} has no credentials (no keys, role, SSO or credential_process)`,
        ...base,
      };
    }
  }
  if (set(env.AWS_WEB_IDENTITY_TOKEN_FILE) && set(env.AWS_ROLE_ARN)) {
    return {
      kind: "web-identity",
      description: `web identity: AWS_WEB_IDENTITY_TOKEN_FILE ${env.AWS_WEB_IDENTITY_TOKEN_FILE} and AWS_ROLE_ARN`,
      warnings,
    };
  }
  if (set(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) || set(env.AWS_CONTAINER_CREDENTIALS_FULL_URI)) {
    return { kind: "container-role", description: "container role (ECS/EKS credentials endpoint)", warnings };
  }
  if (set(env.AWS_EC2_METADATA_DISABLED) && env.AWS_EC2_METADATA_DISABLED !== "false") {
    return {
      kind: "none",
      description: "no credentials in the environment or the shared files (instance metadata disabled)",
      warnings,
    };
  }
  return {
    kind: "instance-role",
    description:
      "nothing in the environment or the shared files; the instance role (EC2 instance metadata) is the last resort",
    warnings,
  };
}

/** The fix for credentials that did not resolve, by what the chain was going to use. */
export function credentialsFix(source: CredentialSource): string {
  const p = source.profile && source.profile !== "default" ? ` --profile ${source.profile}` : "";
  switch (source.kind) {
    case "sso":
    case "sso-legacy":
      return `sign in again: aws sso login${p}`;
    case "console-login":
      return `sign in again: aws login${p}`;
    case "credential-process":
      return `run the profile's credential_process by hand to see why it fails (in ${source.files?.join(", ")})`;
    case "assume-role":
      return "check the role's trust policy and the source profile's own credentials";
    case "web-identity":
    case "web-identity-profile":
      return "check that the token file exists and the role trusts its identity provider";
    case "container-role":
      return "check the task or pod role (AWS_CONTAINER_CREDENTIALS_* variables), or set AWS_PROFILE";
    default:
      if (source.missingProfile)
        return `check the name, or create it: aws configure --profile ${source.missingProfile}`;
      return "run `aws configure` or `aws configure sso`, set AWS_PROFILE or --profile, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
  }
}

/**
 * The provider the SDK reports in the resolved credentials' `$source` (the feature ids it puts in its
 * user agent), in words. Undefined when the SDK did not say (instance and container roles).
 */
export function sdkSourceName(features: Record<string, unknown> | undefined): string | undefined {
  if (!features) return undefined;
  const names: Array<[string, string]> = [
    ["CREDENTIALS_PROFILE_SSO", "SSO"],
    ["CREDENTIALS_PROFILE_SSO_LEGACY", "SSO (legacy)"],
    ["CREDENTIALS_SSO", "SSO"],
    ["CREDENTIALS_SSO_LEGACY", "SSO (legacy)"],
    ["CREDENTIALS_PROFILE_SOURCE_PROFILE", "assumed role"],
    ["CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN", "web identity (profile)"],
    ["CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN", "web identity"],
    ["CREDENTIALS_PROFILE_PROCESS", "credential_process"],
    ["CREDENTIALS_PROCESS", "credential_process"],
    ["CREDENTIALS_PROFILE_LOGIN", "console login"],
    ["CREDENTIALS_PROFILE", "profile keys"],
    ["CREDENTIALS_ENV_VARS", "environment"],
    ["CREDENTIALS_HTTP", "container role"],
    ["CREDENTIALS_IMDS", "instance role"],
  ];
  for (const [id, name] of names) if (id in features) return name;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Region and endpoints
// ---------------------------------------------------------------------------------------------------

/** The region and where it comes from, as dynastream resolves it (src/cli.ts, then the SDK's profile lookup). */
export function resolveRegion(
  flag: string | undefined,
  env: Env,
  profile: ProfileSettings | undefined,
  configPath: string,
): { region: string; source: string } | undefined {
  if (flag) return { region: flag, source: "--region" };
  if (set(env.AWS_REGION)) return { region: env.AWS_REGION as string, source: "AWS_REGION" };
  if (set(env.AWS_DEFAULT_REGION))
    return { region: env.AWS_DEFAULT_REGION as string, source: "AWS_DEFAULT_REGION" };
  const fromProfile = profile?.values.region;
  if (fromProfile) return { region: fromProfile, source: `profile ${profile.name} in ${configPath}` };
  return undefined;
}

/** The services dynastream calls: their SDK service id (for AWS_ENDPOINT_URL_<ID>) and config-file key. */
export const DOCTOR_SERVICES = [
  { id: "DYNAMODB", key: "dynamodb", name: "DynamoDB" },
  { id: "DYNAMODB_STREAMS", key: "dynamodb_streams", name: "DynamoDB Streams" },
  { id: "LAMBDA", key: "lambda", name: "Lambda" },
  { id: "CLOUDWATCH", key: "cloudwatch", name: "CloudWatch" },
  { id: "KINESIS", key: "kinesis", name: "Kinesis" },
  { id: "SQS", key: "sqs", name: "SQS" },
  { id: "STS", key: "sts", name: "STS" },
] as const;
export type ServiceId = (typeof DOCTOR_SERVICES)[number]["id"];

/** A configured endpoint of one service, and the setting it comes from. */
export interface ConfiguredEndpoint {
  service: ServiceId;
  url: string;
  source: string;
}

/**
 * The endpoint each service's calls go to when one is configured, in the SDK's order
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html): `--endpoint-url`
 * (dynastream passes it to every client), then unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the
 * profile's ignore_configured_endpoint_urls) is true: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL,
 * the profile's services section, the profile's endpoint_url. Services without one use AWS's own.
 */
export function configuredEndpoints(
  flag: string | undefined,
  env: Env,
  profile: ProfileSettings | undefined,
  configPath: string,
): ConfiguredEndpoint[] {
  const out: ConfiguredEndpoint[] = [];
  const ignore =
    (
      env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ??
      profile?.values.ignore_configured_endpoint_urls ??
      ""
    ).toLowerCase() === "true";
  for (const s of DOCTOR_SERVICES) {
    if (flag) {
      out.push({ service: s.id, url: flag, source: "--endpoint-url" });
      continue;
    }
    if (ignore) continue;
    const specific = env[`AWS_ENDPOINT_URL_${s.id}`];
    if (set(specific))
      out.push({ service: s.id, url: specific as string, source: `AWS_ENDPOINT_URL_${s.id}` });
    else if (set(env.AWS_ENDPOINT_URL))
      out.push({ service: s.id, url: env.AWS_ENDPOINT_URL as string, source: "AWS_ENDPOINT_URL" });
    else if (profile?.services?.[s.key]?.endpoint_url)
      out.push({
        service: s.id,
        url: profile.services[s.key]?.endpoint_url as string,
        source: `services ${profile.values.services}.${s.key} in ${configPath}`,
      });
    else if (profile?.values.endpoint_url)
      out.push({
        service: s.id,
        url: profile.values.endpoint_url,
        source: `profile ${profile.name} endpoint_url in ${configPath}`,
      });
  }
  return out;
}

/** The fix for an endpoint that does not answer, by where it was configured. */
export function endpointFix(source: string): string {
  if (source === "--endpoint-url")
    return "check the URL and that the server runs (DynamoDB Local: npm run ddb-local)";
  if (source.startsWith("AWS_ENDPOINT_URL"))
    return `start the server it names, or unset ${source} to use AWS (left over from local testing?)`;
  return `start the server it names, or remove the setting (${source})`;
}

// ---------------------------------------------------------------------------------------------------
// Permissions
// ---------------------------------------------------------------------------------------------------

/** Each permission probe: the IAM action it needs and the commands that need it. */
export const PERMISSION_PROBES = {
  "dynamodb:DescribeTable": "every command given a table name",
  "dynamodb:ListStreams": "describe, lag --all-streams",
  "dynamodb:DescribeStream": "describe, shards, tail, lag --kcl-table, filter-test --from-stream",
  "dynamodb:GetShardIterator": "tail, filter-test --from-stream, lag --kcl-table",
  "dynamodb:GetRecords": "tail, filter-test --from-stream, lag --kcl-table",
  "lambda:ListEventSourceMappings": "describe (consumers), disable, lag, filter-test --function",
  "cloudwatch:GetMetricData": "lag",
  "dynamodb:DescribeKinesisStreamingDestination":
    "tail --kinesis, shards --kinesis, enable/disable --kinesis",
  "kinesis:DescribeStreamSummary": "tail --kinesis, shards --kinesis, enable/disable --kinesis",
  "kinesis:ListShards": "tail --kinesis, shards --kinesis, invoke --kinesis, lag --kcl-table",
  "kinesis:GetShardIterator": "tail --kinesis, invoke --kinesis, lag --kcl-table",
  "kinesis:GetRecords": "tail --kinesis, invoke --kinesis, lag --kcl-table",
  "sqs:GetQueueUrl": "describe, lag (on-failure queues), dlq",
  "sqs:GetQueueAttributes": "describe, lag (messages waiting in on-failure queues)",
} as const;
export type PermissionAction = keyof typeof PERMISSION_PROBES;

/** The fix for a denied action: the action and the resource to allow it on. */
export function denialFix(action: PermissionAction, resource: string, principal: string | undefined): string {
  const who = principal ? ` to ${principal}` : "";
  return `allow ${action} on ${resource}${who} (used by ${PERMISSION_PROBES[action]})`;
}

/**
 * The resource an action is granted on, for the fix: the table, its streams, the Kinesis stream or
 * the queue (`arn`: the one probed), or "*" (List/GetMetricData).
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 */
export function permissionResource(
  action: PermissionAction,
  tableArn: string | undefined,
  arn?: string,
): string {
  if (action.startsWith("kinesis:") || action.startsWith("sqs:")) return arn ?? "*";
  if (!tableArn) return "*";
  if (action === "dynamodb:DescribeTable" || action === "dynamodb:DescribeKinesisStreamingDestination")
    return tableArn;
  if (action.startsWith("dynamodb:")) return action === "dynamodb:ListStreams" ? "*" : `${tableArn}/stream/*`;
  return "*";
}
