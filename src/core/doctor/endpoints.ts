/**
 * doctor's region and endpoint lines, pure: the region's report line, and the fix for an endpoint
 * that does not answer. Which region and endpoints are in effect is src/core/aws-config/endpoints.ts.
 */

import type { Check } from "./check.js";

/** The fix for an endpoint that does not answer, by where it was configured. */
export function endpointFix(source: string): string {
  if (source === "--endpoint-url")
    return "check the URL and that the server runs (DynamoDB Local: npm run ddb-local)";
  if (source.startsWith("AWS_ENDPOINT_URL"))
    return `start the server it names, or unset ${source} to use AWS (left over from local testing?)`;
  return `start the server it names, or remove the setting (${source})`;
}

/** The region line: the region and where it comes from, or the fix for the profile in use (`profileName`). */
export function regionCheck(
  region: { region: string; source: string } | undefined,
  profileName: string,
): Check {
  return region
    ? {
        id: "region",
        status: "ok",
        summary: `${region.region} (from ${region.source})`,
        data: { ...region },
      }
    : {
        id: "region",
        status: "fail",
        summary: "no region: not in --region, AWS_REGION, AWS_DEFAULT_REGION or the profile",
        fix: `pass --region, export AWS_REGION=us-east-1, or run: aws configure set region <region>${profileName !== "default" ? ` --profile ${profileName}` : ""}`,
        data: { region: null },
      };
}
