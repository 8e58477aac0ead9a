#!/usr/bin/env node
// `npm run demo`: dynastream tail on a live table, on your machine, in seconds.
//
// Starts DynamoDB Local, creates an `Orders` table with a NEW_AND_OLD_IMAGES stream and Time To Live
// on `expiresAt`, runs `dynastream tail Orders` and writes a realistic order life cycle in the
// background: new orders (nested maps and lists, a 38-digit number, a long decimal, binary, sets),
// status changes, edits deep inside items, cancellations (deletes) and expiring cart sessions that
// DynamoDB Local's TTL deletes within seconds. Ctrl-C stops everything it started;
// `npm run demo -- --seconds 20` stops by itself after 20 s (exit 0).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startDynamoDBLocal } from "./dynamodb-local.mjs";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TABLE = "Orders";
const args = process.argv.slice(2);

function usage(msg) {
  if (msg) process.stderr.write(`demo: ${msg}\n`);
  process.stderr.write("usage: npm run demo [-- --seconds <n>] [-- <extra tail flags, e.g. --json>]\n");
  process.exit(2);
}

let seconds;
const tailExtra = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--seconds") {
    const v = Number(args[++i]);
    if (!Number.isFinite(v) || v <= 0) usage("--seconds needs a positive number");
    seconds = v;
  } else if (a === "-h" || a === "--help") {
    usage();
  } else {
    tailExtra.push(a);
  }
}

const log = (m) =>
  process.stderr.write(process.stderr.isTTY ? `\u001b[2m[demo] ${m}\u001b[22m\n` : `[demo] ${m}\n`);

// The demo runs the built CLI; build it when dist/ is missing (a fresh clone: `npm install` does not build).
if (!existsSync(join(ROOT, "dist", "cli.cjs"))) {
  log("building dynastream (scripts/build.mjs) ...");
  const b = spawnSync(process.execPath, [join(ROOT, "scripts", "build.mjs")], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

const {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} = await import("@aws-sdk/client-dynamodb");

log("starting DynamoDB Local ...");
const ddbLocal = await startDynamoDBLocal({ log });
const endpoint = ddbLocal.endpoint;
const credentials = { accessKeyId: "local", secretAccessKey: "local" };
const ddb = new DynamoDBClient({ endpoint, region: "us-east-1", credentials });

let stopping = false;
let tail;
let exitCode = 0;

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  if (tail && tail.exitCode === null && tail.signalCode === null) {
    // The terminal's Ctrl-C reaches tail too; a timer stop (--seconds) asks it to finish the same way.
    tail.kill("SIGINT");
    await new Promise((r) => {
      const t = setTimeout(() => {
        tail.kill("SIGKILL");
        r();
      }, 5000);
      tail.once("exit", () => {
        clearTimeout(t);
        r();
      });
    });
  }
  ddb.destroy();
  ddbLocal.stop();
  process.exit(exitCode);
}

process.on("SIGINT", () => void shutdown(130));
process.on("SIGTERM", () => void shutdown(143));

try {
  await ddb.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: "orderId", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "orderId", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }),
  );
  await waitUntilTableExists({ client: ddb, maxWaitTime: 30 }, { TableName: TABLE });
  await ddb.send(
    new UpdateTimeToLiveCommand({
      TableName: TABLE,
      TimeToLiveSpecification: { Enabled: true, AttributeName: "expiresAt" },
    }),
  );
} catch (e) {
  log(`could not create the table: ${e.message}`);
  await shutdown(1);
}

log(`DynamoDB Local on ${endpoint}; table ${TABLE} (stream NEW_AND_OLD_IMAGES, TTL on expiresAt)`);
log(
  `try it yourself in another terminal: AWS_ENDPOINT_URL=${endpoint} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local npx dynastream tail ${TABLE} --json`,
);
log(seconds ? `stopping by itself after ${seconds} s` : "Ctrl-C stops the demo");

// tail first, from TRIM_HORIZON, so nothing written below is missed whatever the start-up time.
const childEnv = { ...process.env };
for (const k of Object.keys(childEnv)) if (k.startsWith("AWS_")) delete childEnv[k];
Object.assign(childEnv, {
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
});
tail = spawn(
  process.execPath,
  [join(ROOT, "bin", "dynastream.cjs"), "tail", TABLE, "--from", "trim-horizon", ...tailExtra],
  {
    env: childEnv,
    stdio: "inherit",
  },
);
tail.on("exit", (code, signal) => {
  if (!stopping) {
    log(`tail ended (${signal ?? `exit ${code}`})`);
    void shutdown(code ?? 1);
  }
});

if (seconds) setTimeout(() => void shutdown(0), seconds * 1000).unref();

// ---- the writer -----------------------------------------------------------------------------------
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const S = (s) => ({ S: s });
const N = (n) => ({ N: String(n) });
const CITIES = ["Lyon", "Paris", "Berlin", "Lisbon", "Oslo", "Porto"];
const SKUS = ["BOOK-42", "MUG-7", "LAMP-3", "SOCKS-12", "PEN-5"];

async function send(cmd) {
  if (stopping) return;
  try {
    await ddb.send(cmd);
  } catch (e) {
    if (!stopping) log(`write failed: ${e.name}: ${e.message}`);
  }
}

function newOrder(n) {
  const id = `order-${1000 + n}`;
  return {
    id,
    item: {
      orderId: S(id),
      status: S("pending"),
      customer: M({
        name: S(["Ada", "Grace", "Linus", "Barbara"][n % 4]),
        address: M({ city: S(CITIES[n % CITIES.length]), zip: S(`690${n % 10}0`) }),
      }),
      items: {
        L: [0, 1, 2].map((i) =>
          M({ sku: S(SKUS[(n + i) % SKUS.length]), qty: N(1 + ((n + i) % 3)), price: N(`${9 + i}.99`) }),
        ),
      },
      total: N("47.970000000000000000000000000000000001"),
      loyaltyPoints: N("12345678901234567890123456789012345678"),
      exchangeRate: N("12345678901234567890.123456789"),
      receipt: { B: Uint8Array.from([0x25, 0x50, 0x44, 0x46, n & 0xff, 0x00, 0xff]) },
      tags: { SS: ["web", n % 2 === 0 ? "first-order" : "returning"] },
      coupon: S("WELCOME10"),
      createdAt: S(new Date().toISOString()),
    },
  };
}

function M(m) {
  return { M: m };
}

async function lifecycle(n) {
  const { id, item } = newOrder(n);
  const key = { orderId: S(id) };
  const step = async (cmd) => {
    await send(cmd);
    await sleep(900);
  };
  await step(new PutItemCommand({ TableName: TABLE, Item: item }));
  await step(
    new UpdateItemCommand({
      TableName: TABLE,
      Key: key,
      UpdateExpression: "SET #s = :paid, payment = :p REMOVE coupon",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: {
        ":paid": S("paid"),
        ":p": M({ method: S("card"), last4: S("4242"), amount: N("47.97") }),
      },
    }),
  );
  await step(
    new UpdateItemCommand({
      TableName: TABLE,
      Key: key,
      UpdateExpression: "SET #items[1].qty = :q, customer.address.city = :c, note = :note ADD tags :gift",
      ExpressionAttributeNames: { "#items": "items" },
      ExpressionAttributeValues: {
        ":q": N(5),
        ":c": S(CITIES[(n + 1) % CITIES.length]),
        ":note": S("gift wrap, please"),
        ":gift": { SS: ["gift"] },
      },
    }),
  );
  if (n % 3 === 2) {
    await step(new DeleteItemCommand({ TableName: TABLE, Key: key })); // cancelled
    return;
  }
  await step(
    new UpdateItemCommand({
      TableName: TABLE,
      Key: key,
      UpdateExpression: "SET #s = :s, tracking = :t",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": S("shipped"), ":t": S(`1Z999AA1${String(n).padStart(8, "0")}`) },
    }),
  );
}

async function cartSession(n) {
  // Already expired: DynamoDB Local's TTL deletes it within seconds (a REMOVE marked [ttl]).
  await send(
    new PutItemCommand({
      TableName: TABLE,
      Item: {
        orderId: S(`cart-${n}`),
        status: S("cart"),
        items: { L: [M({ sku: S(SKUS[n % SKUS.length]), qty: N(1) })] },
        expiresAt: N(Math.floor(Date.now() / 1000) - 60),
      },
    }),
  );
}

for (let n = 0; !stopping; n++) {
  if (n % 2 === 0) await cartSession(n);
  await lifecycle(n);
}
