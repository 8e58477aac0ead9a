/**
 * An IAM denial in front of DynamoDB Local: a loopback HTTP proxy that answers the operations it is
 * told to deny with DynamoDB's AccessDeniedException and forwards everything else to DynamoDB Local
 * unchanged, recording every operation (x-amz-target) it saw. DynamoDB Local accepts any credentials,
 * so this is how a role without, say, `dynamodb:DescribeStream` is played against the real SDK.
 *
 * Wire format (AWS JSON 1.0, as DynamoDB and DynamoDB Streams answer a denial): HTTP 400,
 * `content-type: application/x-amz-json-1.0`, body
 * `{"__type":"com.amazon.coral.service#AccessDeniedException","Message":"User: … is not authorized to
 * perform: dynamodb:<Op> on resource: … because no identity-based policy allows the dynamodb:<Op> action"}`
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html: AccessDeniedException, 400).
 */
import { randomUUID } from "node:crypto";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface DenyProxy {
  endpoint: string;
  /** Operations seen, in order (`DescribeTable`, `GetRecords`…), denied or not. */
  operations: string[];
  /** Denies these operations (names without the service prefix) from now on. */
  deny(...ops: string[]): void;
  stop(): Promise<void>;
}

/** The caller the denials name. */
export const DENIED_PRINCIPAL = "arn:aws:iam::123456789012:user/standin";

/** Starts the proxy in front of `target` (DynamoDB Local's endpoint). */
export async function startDenyProxy(target: string, denied: string[] = []): Promise<DenyProxy> {
  const to = new URL(target);
  const deny = new Set(denied);
  const operations: string[] = [];
  const server = createServer((req, res) => {
    const t = String(req.headers["x-amz-target"] ?? "");
    const op = t.slice(t.indexOf(".") + 1);
    operations.push(op);
    if (deny.has(op)) {
      req.resume();
      req.on("end", () => {
        const body = JSON.stringify({
          __type: "com.amazon.coral.service#AccessDeniedException",
          Message: `User: ${DENIED_PRINCIPAL} is not authorized to perform: dynamodb:${op} on resource: * because no identity-based policy allows the dynamodb:${op} action`,
        });
        res.writeHead(400, {
          "content-type": "application/x-amz-json-1.0",
          "x-amzn-requestid": randomUUID(),
          "content-length": Buffer.byteLength(body),
        });
        res.end(body);
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
    deny: (...ops) => {
      for (const o of ops) deny.add(o);
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
