/**
 * `dynastream doctor`'s look at the machine and at AWS, in the order of its report: Node, the
 * credentials (credentials.ts; the shared files: ../config-files.ts; the SSO token cache:
 * sso-cache.ts), the region, each endpoint (endpoints.ts), the caller's identity (identity.ts) and,
 * given a table, one read-only call per permission the commands need (permissions.ts, one module per
 * service). Nothing here writes to AWS. The reasoning (which source, which fix) is src/core/doctor/;
 * the region and endpoints in effect are src/core/aws-config/.
 */

import { configuredEndpoints, resolveRegion } from "../../core/aws-config/endpoints.js";
import type { Env } from "../../core/aws-config/env.js";
import { findProfile } from "../../core/aws-config/shared-files.js";
import type { Check } from "../../core/doctor/check.js";
import { detectCredentialSource } from "../../core/doctor/credentials.js";
import { regionCheck } from "../../core/doctor/endpoints.js";
import { nodeCheck } from "../../core/doctor/node.js";
import { readSharedFiles } from "../config-files.js";
import type { AwsRun } from "../streams.js";
import { credentialsCheck } from "./credentials.js";
import { endpointChecks } from "./endpoints.js";
import { identityCheck } from "./identity.js";
import { permissionChecks } from "./permissions.js";

/** What the command hands over: the flags and environment of the run. */
export interface DoctorInput {
  table: string | undefined;
  profile: string | undefined;
  region: string | undefined;
  endpointUrl: string | undefined;
  env: Env;
  nodeVersion: string;
  now: number;
  /** Milliseconds to wait for an endpoint to answer. */
  probeTimeoutMs: number;
}

/** The report: every check in order, and whether the credentials were missing (exit 4). */
export interface DoctorReport {
  checks: Check[];
  credentialsMissing: boolean;
}

/** Runs every check. Each AWS call is bounded by the run's timeout and retries (src/aws/clients.ts). */
export async function runDoctor(run: AwsRun, input: DoctorInput): Promise<DoctorReport> {
  const checks: Check[] = [nodeCheck(input.nodeVersion, new Date(input.now).toISOString().slice(0, 10))];
  const files = readSharedFiles(input.env);
  const profileName = input.profile ?? (input.env.AWS_PROFILE || "default");
  const profile = findProfile(files, profileName);

  const source = detectCredentialSource(input.env, input.profile, files);
  const cred = await credentialsCheck(run, source, input.env, input.now);
  checks.push(...cred.checks);

  const region = resolveRegion(input.region, input.env, profile, files.configPath);
  checks.push(regionCheck(region, profileName));

  const configured = configuredEndpoints(input.endpointUrl, input.env, profile, files.configPath);
  const endpoints = await endpointChecks(run, configured, region?.region, input.probeTimeoutMs);
  checks.push(...endpoints.checks);

  if (!cred.ok || !region) {
    const why = !cred.ok ? "no usable credentials" : "no region";
    checks.push({ id: "identity", status: "skip", summary: `sts:GetCallerIdentity not checked: ${why}` });
    if (input.table)
      checks.push({ id: "permissions", status: "skip", summary: `permissions not checked: ${why}` });
    return { checks, credentialsMissing: !cred.ok };
  }

  const identity = await identityCheck(run, source, endpoints.endpointOf("STS"), endpoints.reachable("STS"));
  checks.push(identity.check);
  if (input.table && identity.credentialsRejected)
    checks.push({
      id: "permissions",
      status: "skip",
      summary: "permissions not checked: AWS rejects the credentials",
    });
  else if (input.table) {
    const ctx = {
      run,
      env: input.env,
      now: input.now,
      principal: identity.principal,
      reachable: endpoints.reachable,
    };
    checks.push(...(await permissionChecks(ctx, input.table)));
  }
  return { checks, credentialsMissing: identity.credentialsRejected };
}
