/**
 * What doctor reads from the machine: the shared config and credentials files where the SDK looks
 * for them, and the SSO token cache. The files' format is src/core/doctor/shared-files.ts.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Env } from "../../core/doctor/env.js";
import { parseIni, type SharedFiles } from "../../core/doctor/shared-files.js";

/** The home folder as the SDK finds it (HOME first). */
function homeOf(env: Env): string {
  return env.HOME || env.USERPROFILE || homedir();
}

function readIni(path: string): ReturnType<typeof parseIni> | undefined {
  try {
    return parseIni(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

/** The shared config and credentials files, where the SDK looks for them (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE). */
export function readSharedFiles(env: Env): SharedFiles {
  const configPath = env.AWS_CONFIG_FILE || join(homeOf(env), ".aws", "config");
  const credentialsPath = env.AWS_SHARED_CREDENTIALS_FILE || join(homeOf(env), ".aws", "credentials");
  return { configPath, credentialsPath, config: readIni(configPath), credentials: readIni(credentialsPath) };
}

/**
 * The cached SSO access token's expiry: the AWS CLI's `aws sso login` writes it to
 * ~/.aws/sso/cache/<sha1 of the sso_session name, or of the start URL for legacy profiles>.json
 * (https://docs.aws.amazon.com/sdkref/latest/guide/understanding-sso.html). Only `expiresAt` is read.
 */
export function ssoTokenExpiry(env: Env, cacheKey: string): { file: string; expiresAt: string | undefined } {
  const file = join(
    homeOf(env),
    ".aws",
    "sso",
    "cache",
    `${createHash("sha1").update(cacheKey).digest("hex")}.json`,
  );
  try {
    const token = JSON.parse(readFileSync(file, "utf8")) as { expiresAt?: unknown };
    return { file, expiresAt: typeof token.expiresAt === "string" ? token.expiresAt : undefined };
  } catch {
    return { file, expiresAt: undefined };
  }
}
