/**
 * doctor's credentials lines: what the SDK's chain will use (src/core/doctor/credentials.ts says
 * which provider), whether its cached SSO token is still valid, and whether the SDK resolves them.
 */

import type { Env } from "../../core/aws-config/env.js";
import type { Check } from "../../core/doctor/check.js";
import { type CredentialSource, credentialsFix, sdkSourceName } from "../../core/doctor/credentials.js";
import type { AwsRun } from "../streams.js";
import { ssoTokenExpiry } from "./sso-cache.js";

/** The credentials check: what the chain will use, and whether the SDK resolves them. */
export async function credentialsCheck(
  run: AwsRun,
  source: CredentialSource,
  env: Env,
  now: number,
): Promise<{ checks: Check[]; ok: boolean }> {
  const checks: Check[] = [];
  const data: Record<string, unknown> = {
    source: source.kind,
    profile: source.profile ?? null,
    files: source.files ?? [],
  };
  if (source.ssoCacheKey) {
    const token = ssoTokenExpiry(env, source.ssoCacheKey);
    data.ssoTokenExpiresAt = token.expiresAt ?? null;
    const expired = token.expiresAt !== undefined && Date.parse(token.expiresAt) <= now;
    checks.push({
      id: "sso-token",
      status: token.expiresAt === undefined || expired ? "fail" : "ok",
      summary:
        token.expiresAt === undefined
          ? `no cached SSO token (${token.file})`
          : expired
            ? `the cached SSO token expired at ${token.expiresAt}`
            : `cached SSO token valid until ${token.expiresAt}`,
      ...(token.expiresAt === undefined || expired ? { fix: credentialsFix(source) } : {}),
      data: { file: token.file, expiresAt: token.expiresAt ?? null },
    });
  }
  for (const w of source.warnings)
    checks.push({ id: "credentials-conflict", status: "warn", summary: w, fix: "unset one of them" });
  if (source.missingProfile) {
    checks.unshift({
      id: "credentials",
      status: "fail",
      summary: source.description,
      fix: credentialsFix(source),
      data,
    });
    return { checks, ok: false };
  }
  try {
    const ddb = await run.clients.dynamodb();
    const provider = ddb.config.credentials as unknown as () => Promise<{
      $source?: Record<string, unknown>;
      expiration?: Date;
    }>;
    const creds = await provider();
    const sdk = sdkSourceName(creds.$source);
    if (sdk) data.sdkSource = sdk;
    if (creds.expiration) data.expiresAt = creds.expiration.toISOString();
    checks.unshift({
      id: "credentials",
      status: "ok",
      summary: `${source.description}${creds.expiration ? `, expire at ${creds.expiration.toISOString()}` : ""}`,
      data,
    });
    return { checks, ok: true };
  } catch (e) {
    const msg = ((e as Error).message ?? String(e)).split("\n")[0];
    checks.unshift({
      id: "credentials",
      status: "fail",
      summary: `no usable credentials: ${source.kind === "none" ? source.description : `${source.description}: ${msg}`}`,
      fix: credentialsFix(source),
      data: { ...data, error: msg },
    });
    return { checks, ok: false };
  }
}
