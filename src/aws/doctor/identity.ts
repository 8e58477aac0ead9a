/**
 * doctor's identity line: who AWS says the credentials belong to (sts:GetCallerIdentity, which needs
 * no permission), or that AWS rejects them.
 */

import type { ConfiguredEndpoint } from "../../core/aws-config/endpoints.js";
import type { Check } from "../../core/doctor/check.js";
import { type CredentialSource, credentialsFix } from "../../core/doctor/credentials.js";
import { AuthError } from "../../errors.js";
import { awsErrorName, translateAwsError } from "../errors.js";
import type { AwsRun } from "../streams.js";

/** The identity line, the caller's ARN (named in the permission fixes), and whether AWS rejected the credentials. */
export interface IdentityCheck {
  check: Check;
  principal: string | undefined;
  credentialsRejected: boolean;
}

/**
 * Asks STS who the caller is, unless its endpoint (`sts`) does not answer. A local endpoint that does
 * not speak STS (DynamoDB Local) is a warning, not a failure.
 */
export async function identityCheck(
  run: AwsRun,
  source: CredentialSource,
  sts: ConfiguredEndpoint | undefined,
  stsAnswers: boolean,
): Promise<IdentityCheck> {
  if (!stsAnswers) {
    return {
      check: {
        id: "identity",
        status: "skip",
        summary: `sts:GetCallerIdentity not checked: the STS endpoint does not answer`,
      },
      principal: undefined,
      credentialsRejected: false,
    };
  }
  const { GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
  try {
    const out = await (await run.clients.sts()).send(new GetCallerIdentityCommand({}), {
      abortSignal: run.signal,
    });
    return {
      check: {
        id: "identity",
        status: "ok",
        summary: `${out.Arn ?? "?"} (account ${out.Account ?? "?"})`,
        data: { arn: out.Arn ?? null, account: out.Account ?? null, userId: out.UserId ?? null },
      },
      principal: out.Arn,
      credentialsRejected: false,
    };
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const sdkName = awsErrorName(e);
    // An answer the STS client cannot read has no error code of its own: name its HTTP status.
    const name = sdkName && sdkName !== "Error" ? sdkName : status ? `HTTP ${status}` : (sdkName ?? "Error");
    const msg = ((e as Error).message ?? "").split("\n")[0];
    const translated = translateAwsError(e, "sts:GetCallerIdentity", sts?.url);
    if (translated instanceof AuthError) {
      return {
        check: {
          id: "identity",
          status: "fail",
          summary: `AWS rejects the credentials: ${name}: ${msg}`,
          fix: credentialsFix(source),
          data: { error: name },
        },
        principal: undefined,
        credentialsRejected: true,
      };
    }
    if (sts && sts.source !== "AWS") {
      // A local endpoint (DynamoDB Local, LocalStack without STS) that does not speak STS.
      return {
        check: {
          id: "identity",
          status: "warn",
          summary: `sts:GetCallerIdentity: ${sts.url} (${sts.source}) does not answer as STS (${name}); identity not checked`,
          fix: "expected with DynamoDB Local; set AWS_ENDPOINT_URL_STS to an STS endpoint to check the identity",
          data: { error: name },
        },
        principal: undefined,
        credentialsRejected: false,
      };
    }
    return {
      check: {
        id: "identity",
        status: "fail",
        summary: translated.message,
        ...(translated.hint ? { fix: translated.hint } : {}),
        data: { error: name },
      },
      principal: undefined,
      credentialsRejected: false,
    };
  }
}
