/**
 * Region and endpoints, pure: the region a run uses and where it comes from, the services dynastream
 * calls, and the endpoint each one's calls go to when one is configured (src/aws/clients.ts passes
 * them to the clients; doctor reports and probes them).
 */

import { type Env, isSet } from "./env.js";
import type { ProfileSettings } from "./shared-files.js";

/** The region and where it comes from, as dynastream resolves it (src/cli.ts, then the SDK's profile lookup). */
export function resolveRegion(
  flag: string | undefined,
  env: Env,
  profile: ProfileSettings | undefined,
  configPath: string,
): { region: string; source: string } | undefined {
  if (flag) return { region: flag, source: "--region" };
  if (isSet(env.AWS_REGION)) return { region: env.AWS_REGION as string, source: "AWS_REGION" };
  if (isSet(env.AWS_DEFAULT_REGION))
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

/** A service whose endpoint can be configured: its SDK service id and its key in a services section. */
export interface EndpointService {
  id: string;
  key: string;
}

/** Every service a run's clients call: doctor's, and S3 (`dlq --s3`), which doctor does not probe. */
export const CLIENT_SERVICES: readonly EndpointService[] = [...DOCTOR_SERVICES, { id: "S3", key: "s3" }];

/** A configured endpoint of one service, and the setting it comes from. */
export interface ConfiguredEndpoint {
  /** The SDK service id: a {@link ServiceId}, or S3. */
  service: string;
  url: string;
  source: string;
}

/**
 * The endpoint each service's calls go to when one is configured, in the SDK's order
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html): `--endpoint-url`
 * (dynastream passes it to every client), then unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the
 * profile's ignore_configured_endpoint_urls) is true: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL,
 * the profile's services section, the profile's endpoint_url. Services without one use AWS's own.
 * `services`: doctor's by default; the clients ask for theirs (src/aws/clients.ts).
 */
export function configuredEndpoints(
  flag: string | undefined,
  env: Env,
  profile: ProfileSettings | undefined,
  configPath: string,
  services: readonly EndpointService[] = DOCTOR_SERVICES,
): ConfiguredEndpoint[] {
  const out: ConfiguredEndpoint[] = [];
  const ignore =
    (
      env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ??
      profile?.values.ignore_configured_endpoint_urls ??
      ""
    ).toLowerCase() === "true";
  for (const s of services) {
    if (flag) {
      out.push({ service: s.id, url: flag, source: "--endpoint-url" });
      continue;
    }
    if (ignore) continue;
    const specific = env[`AWS_ENDPOINT_URL_${s.id}`];
    if (isSet(specific))
      out.push({ service: s.id, url: specific as string, source: `AWS_ENDPOINT_URL_${s.id}` });
    else if (isSet(env.AWS_ENDPOINT_URL))
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
