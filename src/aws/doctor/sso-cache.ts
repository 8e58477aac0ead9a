/**
 * What doctor reads from the SSO token cache. The shared config and credentials files are read by
 * src/aws/config-files.ts.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Env } from "../../core/aws-config/env.js";
import { homeOf } from "../config-files.js";

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
