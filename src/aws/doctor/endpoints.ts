/**
 * doctor's endpoint lines: the endpoint of each service (the configured one,
 * src/core/aws-config/endpoints.ts, else AWS's own for the region) and whether something answers there.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { type ConfiguredEndpoint, DOCTOR_SERVICES, type ServiceId } from "../../core/aws-config/endpoints.js";
import type { Check } from "../../core/doctor/check.js";
import { endpointFix } from "../../core/doctor/endpoints.js";
import type { AwsRun } from "../streams.js";

/** The endpoint lines, and what later checks ask of them: each service's endpoint and whether it answers. */
export interface EndpointChecks {
  checks: Check[];
  endpointOf: (s: ServiceId) => ConfiguredEndpoint | undefined;
  reachable: (s: ServiceId) => boolean;
}

/** Whether something answers HTTP at `url` (any status counts), within `timeoutMs`. */
export function probeEndpoint(url: string, timeoutMs: number): Promise<{ answers: boolean; detail: string }> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve({ answers: false, detail: "not a URL" });
      return;
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      resolve({ answers: false, detail: `unsupported scheme ${u.protocol}` });
      return;
    }
    const req = (u.protocol === "https:" ? httpsRequest : httpRequest)(
      u,
      { method: "GET", timeout: timeoutMs },
      (res) => {
        res.resume();
        resolve({ answers: true, detail: `HTTP ${res.statusCode}` });
        req.destroy();
      },
    );
    req.on("timeout", () => {
      req.destroy();
      resolve({ answers: false, detail: `no answer within ${timeoutMs} ms` });
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ answers: false, detail: e.code ?? e.message }));
    req.end();
  });
}

/** AWS's own endpoint of a service in a region, as the client computes it (undefined when it cannot). */
async function defaultEndpoint(run: AwsRun, service: ServiceId, region: string): Promise<string | undefined> {
  const c = run.clients;
  const client =
    service === "DYNAMODB"
      ? await c.dynamodb()
      : service === "DYNAMODB_STREAMS"
        ? await c.streams()
        : service === "LAMBDA"
          ? await c.lambda()
          : service === "CLOUDWATCH"
            ? await c.cloudwatch()
            : service === "KINESIS"
              ? await c.kinesis()
              : service === "SQS"
                ? await c.sqs()
                : await c.sts();
  try {
    const provider = (client.config as { endpointProvider?: (p: Record<string, unknown>) => { url: URL } })
      .endpointProvider;
    return provider?.({ Region: region, UseFIPS: false, UseDualStack: false }).url.href.replace(/\/$/, "");
  } catch {
    return undefined;
  }
}

/**
 * The endpoint lines, in service order: the configured endpoints, else AWS's own for the region
 * (none without a region). Each distinct URL is asked once, all at the same time.
 */
export async function endpointChecks(
  run: AwsRun,
  configured: ConfiguredEndpoint[],
  region: string | undefined,
  probeTimeoutMs: number,
): Promise<EndpointChecks> {
  const checks: Check[] = [];
  const endpoints: ConfiguredEndpoint[] = [];
  for (const s of DOCTOR_SERVICES) {
    const c = configured.find((e) => e.service === s.id);
    if (c) endpoints.push(c);
    else if (region) {
      const url = await defaultEndpoint(run, s.id, region);
      if (url) endpoints.push({ service: s.id, url, source: "AWS" });
    }
  }
  const byUrl = new Map<string, ConfiguredEndpoint[]>();
  for (const e of endpoints) byUrl.set(e.url, [...(byUrl.get(e.url) ?? []), e]);
  const answers = new Map<string, boolean>();
  await Promise.all(
    [...byUrl.keys()].map(async (url) => {
      const r = await probeEndpoint(url, probeTimeoutMs);
      answers.set(url, r.answers);
      const group = byUrl.get(url) ?? [];
      const services = group.map((e) => DOCTOR_SERVICES.find((s) => s.id === e.service)?.name ?? e.service);
      const sources = [...new Set(group.map((e) => e.source))];
      const from = sources[0] === "AWS" ? "AWS" : sources.join(", ");
      checks.push({
        id: "endpoint",
        status: r.answers ? "ok" : "fail",
        summary: `${services.join(", ")}: ${url} (${from}) ${r.answers ? "answers" : `does not answer: ${r.detail}`}`,
        ...(r.answers
          ? {}
          : {
              fix:
                sources[0] === "AWS"
                  ? "check the network (proxy, VPN, firewall) and the region"
                  : endpointFix(sources[0] ?? ""),
            }),
        data: {
          url,
          services: group.map((e) => e.service),
          source: sources,
          answers: r.answers,
          detail: r.detail,
        },
      });
    }),
  );
  // Keep the endpoint lines in service order whatever finished first.
  const order = [...byUrl.keys()];
  checks.sort((a, b) => order.indexOf(String(a.data?.url)) - order.indexOf(String(b.data?.url)));
  const endpointOf = (s: ServiceId): ConfiguredEndpoint | undefined => endpoints.find((e) => e.service === s);
  const reachable = (s: ServiceId): boolean => {
    const e = endpointOf(s);
    return e !== undefined && answers.get(e.url) === true;
  };
  return { checks, endpointOf, reachable };
}
