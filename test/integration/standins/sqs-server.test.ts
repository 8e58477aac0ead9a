// The SQS stand-in against the real @aws-sdk/client-sqs (AWS JSON 1.0): the semantics dlq relies on.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { TEST_CREDENTIALS, TEST_REGION } from "../../helpers/ddb.js";
import { type SqsStandin, startSqsStandin } from "../../helpers/standins/sqs-server.js";

let sqs: SqsStandin;
let client: SQSClient;
before(async () => {
  sqs = await startSqsStandin();
  client = new SQSClient({
    endpoint: sqs.endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
});
after(async () => {
  client.destroy();
  await sqs.stop();
});

test("send, receive (MD5 checked by the SDK), hide, visibility 0, delete with the latest handle only", async () => {
  const url = sqs.createQueue("s1");
  assert.equal((await client.send(new GetQueueUrlCommand({ QueueName: "s1" }))).QueueUrl, url);
  await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "héllo" }));
  const r1 = await client.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
  );
  assert.equal(r1.Messages?.length, 1);
  assert.equal(r1.Messages?.[0]?.Body, "héllo");
  const first = r1.Messages?.[0]?.ReceiptHandle as string;
  // Hidden: a short poll gets nothing.
  assert.equal((await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages, undefined);
  const attrs = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  assert.equal(attrs.Attributes?.ApproximateNumberOfMessages, "0");
  await client.send(
    new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first, VisibilityTimeout: 0 }),
  );
  const r2 = await client.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 60 }));
  const second = r2.Messages?.[0]?.ReceiptHandle as string;
  assert.notEqual(second, first);
  // The older handle no longer counts: changing visibility fails, deleting does nothing.
  await assert.rejects(
    client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first, VisibilityTimeout: 0 }),
    ),
    (e: Error) => e.name === "MessageNotInflight",
  );
  await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first }));
  assert.equal(sqs.messages("s1").length, 1);
  await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second }));
  assert.equal(sqs.messages("s1").length, 0);
});

test("long polling waits for a message; errors are the SDK's modelled ones", async () => {
  const url = sqs.createQueue("s2");
  const pending = client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
  setTimeout(() => sqs.send("s2", "late"), 200);
  assert.equal((await pending).Messages?.[0]?.Body, "late");
  const empty = await client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
  assert.equal(empty.Messages, undefined);
  await assert.rejects(
    client.send(new GetQueueUrlCommand({ QueueName: "nope" })),
    (e: Error) => e.name === "QueueDoesNotExist",
  );
  await assert.rejects(
    client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 400,
  );
  await assert.rejects(
    client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: "garbage" })),
    (e: Error) => e.name === "ReceiptHandleIsInvalid",
  );
});
