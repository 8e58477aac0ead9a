/**
 * Credentials, pure: which provider of the SDK's default chain will answer (from the environment and
 * the shared files), the fix when they do not resolve, and the SDK's own name for the provider it used.
 */

import { type Env, isSet } from "../aws-config/env.js";
import { findProfile, type SharedFiles } from "../aws-config/shared-files.js";

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
  const named = profileFlag ?? (isSet(env.AWS_PROFILE) ? env.AWS_PROFILE : undefined);
  const envKeys = isSet(env.AWS_ACCESS_KEY_ID) && isSet(env.AWS_SECRET_ACCESS_KEY);
  if (!named && envKeys) {
    return {
      kind: "environment",
      description: `environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY${isSet(env.AWS_SESSION_TOKEN) ? ", AWS_SESSION_TOKEN" : ""}`,
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
    if (isSet(v.role_arn) && (isSet(v.source_profile) || isSet(v.credential_source))) {
      const from = isSet(v.source_profile)
        ? `profile ${v.source_profile}`
        : `credential_source ${v.credential_source}`;
      return {
        kind: "assume-role",
        description: `profile ${name} in ${where}: assumes a role with ${from}`,
        ...base,
      };
    }
    if (isSet(v.aws_access_key_id) && isSet(v.aws_secret_access_key)) {
      return { kind: "profile-keys", description: `profile ${name} in ${where}: access keys`, ...base };
    }
    if (isSet(v.web_identity_token_file) && isSet(v.role_arn)) {
      return {
        kind: "web-identity-profile",
        description: `profile ${name} in ${where}: web identity token file ${v.web_identity_token_file}`,
        ...base,
      };
    }
    if (isSet(v.credential_process)) {
      return {
        kind: "credential-process",
        description: `profile ${name} in ${where}: credential_process`,
        ...base,
      };
    }
    if (isSet(v.sso_session)) {
      return {
        kind: "sso",
        description: `profile ${name} in ${where}: IAM Identity Center (SSO session ${v.sso_session})`,
        ssoCacheKey: v.sso_session,
        ...base,
      };
    }
    if (isSet(v.sso_start_url)) {
      return {
        kind: "sso-legacy",
        description: `profile ${name} in ${where}: IAM Identity Center (legacy, start URL ${v.sso_start_url})`,
        ssoCacheKey: v.sso_start_url,
        ...base,
      };
    }
    if (isSet(v.login_session)) {
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
  if (isSet(env.AWS_WEB_IDENTITY_TOKEN_FILE) && isSet(env.AWS_ROLE_ARN)) {
    return {
      kind: "web-identity",
      description: `web identity: AWS_WEB_IDENTITY_TOKEN_FILE ${env.AWS_WEB_IDENTITY_TOKEN_FILE} and AWS_ROLE_ARN`,
      warnings,
    };
  }
  if (isSet(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) || isSet(env.AWS_CONTAINER_CREDENTIALS_FULL_URI)) {
    return { kind: "container-role", description: "container role (ECS/EKS credentials endpoint)", warnings };
  }
  if (isSet(env.AWS_EC2_METADATA_DISABLED) && env.AWS_EC2_METADATA_DISABLED !== "false") {
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
