// An AwsRun (src/aws's handle on AWS) for integration tests that call src/aws directly: the real
// clients of src/aws/clients.ts pointed at an endpoint (DynamoDB Local or a stand-in), test
// credentials in this test process's environment, the real clock and an abortable sleep.
import { after } from "node:test";
import { createAwsClients } from "../../src/aws/clients.js";
import type { AwsRun } from "../../src/aws/streams.js";
import { abortableSleep } from "../../src/cli/context.js";
import { TEST_CREDENTIALS, TEST_REGION } from "./ddb.js";

/** A run against `endpoint` (every service), closed when the test file ends. */
export function testRun(endpoint: string): AwsRun {
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
  process.env.AWS_EC2_METADATA_DISABLED = "true";
  const clients = createAwsClients({ region: TEST_REGION, endpointUrl: endpoint, maxAttempts: 1 });
  const controller = new AbortController();
  after(() => {
    controller.abort();
    clients.destroy();
  });
  return {
    clients,
    signal: controller.signal,
    now: () => Date.now(),
    sleep: (ms) => abortableSleep(ms, controller.signal),
  };
}
