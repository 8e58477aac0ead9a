/**
 * In-memory stand-in for Amazon SQS (standard queues) on 127.0.0.1, speaking the protocol the real
 * `@aws-sdk/client-sqs` 3.1178.0 speaks: AWS JSON 1.0 (`POST /`, `content-type:
 * application/x-amz-json-1.0`, `x-amz-target: AmazonSQS.<Operation>`) with query compatibility: an
 * error is `{"__type":"com.amazonaws.sqs#<Shape>","message":…}` plus the header
 * `x-amzn-query-error: <QueryCode>;Sender`, from which the SDK names the error
 * (`AWS.SimpleQueueService.NonExistentQueue` → `QueueDoesNotExist`).
 *
 * Operations: GetQueueUrl, GetQueueAttributes, SendMessage, ReceiveMessage, ChangeMessageVisibility,
 * ChangeMessageVisibilityBatch, DeleteMessage, DeleteMessageBatch. Semantics kept real where dlq
 * depends on them (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/):
 * - ReceiveMessage returns at most `MaxNumberOfMessages` (1–10, default 1) visible messages, oldest
 *   first, each with a NEW receipt handle, and hides them for `VisibilityTimeout` (else the queue's,
 *   default 30 s); `MD5OfBody` is the hex MD5 of the body (the SDK checks it). With
 *   `WaitTimeSeconds` > 0 (long polling) an empty queue is answered only when a message becomes
 *   visible or the wait ends; the answer without messages is `{}`.
 * - Only the latest receipt handle of a message counts: ChangeMessageVisibility with an older one, or
 *   on a message not in flight, fails (`MessageNotInflight`); DeleteMessage with an older one succeeds
 *   without deleting (as SQS documents for standard queues). A handle this stand-in never issued is
 *   `ReceiptHandleIsInvalid`.
 * - VisibilityTimeout 0 makes a message visible at once.
 * The clock is real time (visibility timeouts are seconds).
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

interface StoredMessage {
  id: string;
  body: string;
  md5: string;
  sentAt: number;
  receiveCount: number;
  visibleAt: number;
  /** The latest receipt handle; undefined before the first receive. */
  handle: string | undefined;
}

interface Queue {
  name: string;
  url: string;
  visibilityTimeoutS: number;
  messages: StoredMessage[];
}

/** One request the stand-in answered. */
export interface SqsLogEntry {
  op: string;
  queueUrl: string | undefined;
  body: Record<string, unknown>;
  status: number;
}

/** A running SQS stand-in. */
export interface SqsStandin {
  /** `http://127.0.0.1:<port>`: use as the SQS client's endpoint (or AWS_ENDPOINT_URL_SQS). */
  endpoint: string;
  accountId: string;
  region: string;
  /** Creates a queue; returns its URL. */
  createQueue(name: string, opts?: { visibilityTimeoutS?: number }): string;
  /** The ARN of queue `name`. */
  queueArn(name: string): string;
  /** Puts a message on a queue (as SendMessage does); returns its id. */
  send(name: string, body: string): string;
  /** The messages of a queue with their state (a copy). */
  messages(name: string): Array<{ id: string; body: string; receiveCount: number; visible: boolean }>;
  /** Every request answered, oldest first. */
  readonly log: SqsLogEntry[];
  /** Makes every request for `op` fail with access denied (until cleared with `undefined`). */
  denyOperation(op: string | undefined): void;
  stop(): Promise<void>;
}

class SqsError extends Error {
  constructor(
    readonly status: number,
    readonly shape: string,
    readonly queryCode: string,
    message: string,
  ) {
    super(message);
  }
}

const errors = {
  noQueue: () =>
    new SqsError(
      400,
      "QueueDoesNotExist",
      "AWS.SimpleQueueService.NonExistentQueue",
      "The specified queue does not exist.",
    ),
  invalid: (message: string) =>
    new SqsError(400, "InvalidParameterValueException", "InvalidParameterValue", message),
  badHandle: () =>
    new SqsError(
      400,
      "ReceiptHandleIsInvalid",
      "ReceiptHandleIsInvalid",
      "The input receipt handle is invalid.",
    ),
  notInflight: () =>
    new SqsError(
      400,
      "MessageNotInflight",
      "AWS.SimpleQueueService.MessageNotInflight",
      "The message referred to isn't in flight.",
    ),
  denied: (op: string) =>
    new SqsError(
      403,
      "AccessDeniedException",
      "AccessDenied",
      `User: arn:aws:iam::123456789012:user/standin is not authorized to perform: sqs:${op}`,
    ),
  unknownOp: (op: string) => new SqsError(400, "InvalidAction", "InvalidAction", `Unknown operation ${op}`),
};

function md5(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

function intParam(body: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw errors.invalid(
      `Value ${String(v)} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}.`,
    );
  }
  return v;
}

/** Starts an SQS stand-in on a free port. */
export async function startSqsStandin(
  opts: { accountId?: string; region?: string } = {},
): Promise<SqsStandin> {
  const accountId = opts.accountId ?? "123456789012";
  const region = opts.region ?? "us-east-1";
  const queues = new Map<string, Queue>(); // by name
  const log: SqsLogEntry[] = [];
  let denied: string | undefined;
  let stopped = false;
  let endpoint = "";
  const sockets = new Set<Socket>();
  const waiting = new Set<() => void>();

  const queueByUrl = (url: unknown): Queue => {
    if (typeof url !== "string") throw errors.invalid("QueueUrl is required");
    const name = url.split("/").pop() ?? "";
    const q = queues.get(name);
    if (!q || q.url !== url) throw errors.noQueue();
    return q;
  };

  const sendTo = (q: Queue, body: string): StoredMessage => {
    const m: StoredMessage = {
      id: randomUUID(),
      body,
      md5: md5(body),
      sentAt: Date.now(),
      receiveCount: 0,
      visibleAt: 0,
      handle: undefined,
    };
    q.messages.push(m);
    for (const w of [...waiting]) w();
    return m;
  };

  const visible = (q: Queue, now: number): StoredMessage[] => q.messages.filter((m) => m.visibleAt <= now);

  const receive = (q: Queue, body: Record<string, unknown>): Record<string, unknown> => {
    const max = intParam(body, "MaxNumberOfMessages", 1, 10) ?? 1;
    const vt = intParam(body, "VisibilityTimeout", 0, 43200) ?? q.visibilityTimeoutS;
    const now = Date.now();
    const picked = visible(q, now).slice(0, max);
    if (picked.length === 0) return {};
    return {
      Messages: picked.map((m) => {
        m.receiveCount++;
        m.visibleAt = now + vt * 1000;
        m.handle = Buffer.from(`${q.name}/${m.id}/${randomUUID()}`).toString("base64");
        return {
          MessageId: m.id,
          ReceiptHandle: m.handle,
          MD5OfBody: m.md5,
          Body: m.body,
          Attributes: {
            ApproximateReceiveCount: String(m.receiveCount),
            SentTimestamp: String(m.sentAt),
          },
        };
      }),
    };
  };

  /** The message a receipt handle names, and whether the handle is its latest. */
  const byHandle = (q: Queue, handle: unknown): { m: StoredMessage | undefined; latest: boolean } => {
    if (typeof handle !== "string") throw errors.badHandle();
    const decoded = Buffer.from(handle, "base64").toString("utf8").split("/");
    if (decoded.length !== 3 || decoded[0] !== q.name) throw errors.badHandle();
    const m = q.messages.find((x) => x.id === decoded[1]);
    return { m, latest: m !== undefined && m.handle === handle };
  };

  const changeVisibility = (q: Queue, handle: unknown, timeout: unknown): void => {
    if (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 0 || timeout > 43200)
      throw errors.invalid(`Value ${String(timeout)} for parameter VisibilityTimeout is invalid.`);
    const { m, latest } = byHandle(q, handle);
    const now = Date.now();
    if (!m || !latest || m.visibleAt <= now) throw errors.notInflight();
    m.visibleAt = now + timeout * 1000;
    if (timeout === 0) for (const w of [...waiting]) w();
  };

  const deleteMessage = (q: Queue, handle: unknown): void => {
    const { m, latest } = byHandle(q, handle);
    if (m && latest) q.messages.splice(q.messages.indexOf(m), 1);
  };

  const batch = (
    body: Record<string, unknown>,
    one: (entry: Record<string, unknown>) => void,
  ): Record<string, unknown> => {
    const entries = body.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10)
      throw errors.invalid("Entries must hold 1 to 10 entries");
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const e of entries as Record<string, unknown>[]) {
      try {
        one(e);
        Successful.push({ Id: e.Id });
      } catch (err) {
        if (!(err instanceof SqsError)) throw err;
        Failed.push({ Id: e.Id, SenderFault: true, Code: err.queryCode, Message: err.message });
      }
    }
    return { Successful, Failed };
  };

  async function handle(op: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (denied === op) throw errors.denied(op);
    switch (op) {
      case "GetQueueUrl": {
        const name = body.QueueName;
        const owner = body.QueueOwnerAWSAccountId;
        const q = typeof name === "string" ? queues.get(name) : undefined;
        if (!q || (owner !== undefined && owner !== accountId)) throw errors.noQueue();
        return { QueueUrl: q.url };
      }
      case "GetQueueAttributes": {
        const q = queueByUrl(body.QueueUrl);
        const now = Date.now();
        const vis = visible(q, now).length;
        return {
          Attributes: {
            ApproximateNumberOfMessages: String(vis),
            ApproximateNumberOfMessagesNotVisible: String(q.messages.length - vis),
            QueueArn: `arn:aws:sqs:${region}:${accountId}:${q.name}`,
            VisibilityTimeout: String(q.visibilityTimeoutS),
          },
        };
      }
      case "SendMessage": {
        const q = queueByUrl(body.QueueUrl);
        if (typeof body.MessageBody !== "string" || body.MessageBody === "")
          throw errors.invalid("The request must contain the parameter MessageBody.");
        const m = sendTo(q, body.MessageBody);
        return { MessageId: m.id, MD5OfMessageBody: m.md5 };
      }
      case "ReceiveMessage": {
        const q = queueByUrl(body.QueueUrl);
        const wait = intParam(body, "WaitTimeSeconds", 0, 20) ?? 0;
        const deadline = Date.now() + wait * 1000;
        for (;;) {
          const out = receive(q, body);
          const remaining = deadline - Date.now();
          if (out.Messages !== undefined || remaining <= 0 || stopped) return out;
          // Long polling: wait for a message to be sent or made visible, or a timeout to pass.
          const nextVisible = Math.min(...q.messages.map((m) => m.visibleAt), Number.POSITIVE_INFINITY);
          await new Promise<void>((resolve) => {
            const done = (): void => {
              waiting.delete(done);
              clearTimeout(timer);
              resolve();
            };
            const timer = setTimeout(done, Math.max(1, Math.min(remaining, nextVisible - Date.now())));
            waiting.add(done);
          });
        }
      }
      case "ChangeMessageVisibility": {
        changeVisibility(queueByUrl(body.QueueUrl), body.ReceiptHandle, body.VisibilityTimeout);
        return {};
      }
      case "ChangeMessageVisibilityBatch": {
        const q = queueByUrl(body.QueueUrl);
        return batch(body, (e) => changeVisibility(q, e.ReceiptHandle, e.VisibilityTimeout));
      }
      case "DeleteMessage": {
        deleteMessage(queueByUrl(body.QueueUrl), body.ReceiptHandle);
        return {};
      }
      case "DeleteMessageBatch": {
        const q = queueByUrl(body.QueueUrl);
        return batch(body, (e) => deleteMessage(q, e.ReceiptHandle));
      }
      default:
        throw errors.unknownOp(op);
    }
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const op = target.startsWith("AmazonSQS.") ? target.slice("AmazonSQS.".length) : target;
      let body: Record<string, unknown> = {};
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
        log.push({
          op,
          queueUrl: typeof body.QueueUrl === "string" ? body.QueueUrl : undefined,
          body,
          status,
        });
        res.writeHead(status, {
          "content-type": "application/x-amz-json-1.0",
          "x-amzn-requestid": randomUUID(),
          ...headers,
        });
        res.end(JSON.stringify(payload));
      };
      try {
        const text = Buffer.concat(chunks).toString("utf8");
        body = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
      } catch {
        send(400, { __type: "com.amazonaws.sqs#InvalidParameterValueException", message: "malformed JSON" });
        return;
      }
      handle(op, body).then(
        (out) => send(200, out),
        (e: unknown) => {
          if (e instanceof SqsError) {
            send(
              e.status,
              { __type: `com.amazonaws.sqs#${e.shape}`, message: e.message },
              { "x-amzn-query-error": `${e.queryCode};Sender` },
            );
          } else {
            send(500, { __type: "com.amazonaws.sqs#InternalError", message: String(e) });
          }
        },
      );
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    accountId,
    region,
    log,
    createQueue(name, o = {}) {
      const url = `${endpoint}/${accountId}/${name}`;
      queues.set(name, { name, url, visibilityTimeoutS: o.visibilityTimeoutS ?? 30, messages: [] });
      return url;
    },
    queueArn: (name) => `arn:aws:sqs:${region}:${accountId}:${name}`,
    send(name, body) {
      const q = queues.get(name);
      if (!q) throw new Error(`no queue ${name}`);
      return sendTo(q, body).id;
    },
    messages(name) {
      const q = queues.get(name);
      if (!q) throw new Error(`no queue ${name}`);
      const now = Date.now();
      return q.messages.map((m) => ({
        id: m.id,
        body: m.body,
        receiveCount: m.receiveCount,
        visible: m.visibleAt <= now,
      }));
    },
    denyOperation(op) {
      denied = op;
    },
    async stop() {
      stopped = true;
      for (const w of [...waiting]) w();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
