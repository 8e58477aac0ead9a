/**
 * An IAM denial in front of a real endpoint: a loopback HTTP proxy that answers the operations it is
 * told to deny with the service's access-denied error and forwards everything else to the target
 * unchanged, recording every operation (x-amz-target) it saw. DynamoDB Local and kinesalite accept any
 * credentials, so this is how a role without, say, `dynamodb:DescribeStream` or `kinesis:GetRecords`
 * is played against the real SDK. The service is told by the x-amz-target prefix:
 *
 * - DynamoDB and DynamoDB Streams (`DynamoDB_20120810.`, `DynamoDBStreams_20120810.`; AWS JSON 1.0):
 *   HTTP 400, `{"__type":"com.amazon.coral.service#AccessDeniedException","Message":"User: … is not
 *   authorized to perform: dynamodb:<Op> …"}`
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html: AccessDeniedException, 400).
 * - Kinesis (`Kinesis_20131202.`; AWS JSON 1.1): HTTP 400, `{"__type":"AccessDeniedException","message":…}`
 *   (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html: AccessDeniedException, 400).
 *
 * Not SQS: the SQS client sends a queue's calls to the host of its QueueUrl (the SDK's
 * useQueueUrlAsEndpoint), not to the endpoint: deny with the SQS stand-in's own denyOperation.
 *
 * A denied operation is named alone (`DescribeStream`: in any service) or with its service
 * (`kinesis:GetRecords`, `dynamodb:GetRecords`).
 */
import { randomUUID } from "node:crypto";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface DenyProxy {
  endpoint: string;
  /** Operations seen, in order (`DescribeTable`, `GetRecords`…), denied or not. */
  operations: string[];
  /** The same, as IAM actions (`dynamodb:DescribeTable`, `kinesis:GetRecords`…). */
  actions: string[];
  /** Denies these operations (names without the service prefix) from now on. */
  deny(...ops: string[]): void;
  stop(): Promise<void>;
}

/** The caller the denials name. */
export const DENIED_PRINCIPAL = "arn:aws:iam::123456789012:user/standin";

type DeniedService = "dynamodb" | "kinesis";

/** The service of an x-amz-target (`Kinesis_20131202.GetRecords` → kinesis). */
function serviceOf(target: string): DeniedService {
  if (target.startsWith("Kinesis_")) return "kinesis";
  return "dynamodb";
}

/** The service's access-denied answer: status, headers and body. */
function denial(
  service: DeniedService,
  op: string,
): { status: number; headers: Record<string, string>; body: string } {
  const text = `User: ${DENIED_PRINCIPAL} is not authorized to perform: ${service}:${op} on resource: * because no identity-based policy allows the ${service}:${op} action`;
  if (service === "kinesis")
    return {
      status: 400,
      headers: { "content-type": "application/x-amz-json-1.1" },
      body: JSON.stringify({ __type: "AccessDeniedException", message: text }),
    };
  return {
    status: 400,
    headers: { "content-type": "application/x-amz-json-1.0" },
    body: JSON.stringify({ __type: "com.amazon.coral.service#AccessDeniedException", Message: text }),
  };
}

/** Starts the proxy in front of `target` (DynamoDB Local, the Kinesis emulator). */
export async function startDenyProxy(target: string, denied: string[] = []): Promise<DenyProxy> {
  const to = new URL(target);
  const deny = new Set(denied);
  const operations: string[] = [];
  const actions: string[] = [];
  const server = createServer((req, res) => {
    const t = String(req.headers["x-amz-target"] ?? "");
    const op = t.slice(t.indexOf(".") + 1);
    const service = serviceOf(t);
    operations.push(op);
    actions.push(`${service}:${op}`);
    if (deny.has(op) || deny.has(`${service}:${op}`)) {
      req.resume();
      req.on("end", () => {
        const d = denial(service, op);
        res.writeHead(d.status, {
          ...d.headers,
          "x-amzn-requestid": randomUUID(),
          "content-length": String(Buffer.byteLength(d.body)),
        });
        res.end(d.body);
      });
      return;
    }
    const up = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    operations,
    actions,
    deny: (...ops) => {
      for (const o of ops) deny.add(o);
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
