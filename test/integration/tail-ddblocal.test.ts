// `dynastream tail` (the built binary) against DynamoDB Local: every start position, bounded reads,
// the four view types, diffs of nested maps/lists/sets, big numbers and binary byte-exact, TTL
// deletes, a stream disabled while tailing, and checkpoint resume without loss or duplicates.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  type AttributeValue,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { runCli, startCli } from "../helpers/cli.js";
import { cliEnv, clients, createTable, ddbEndpoint } from "../helpers/ddb.js";

let endpoint = "";
let ddb: ReturnType<typeof clients>["ddb"];
const dir = mkdtempSync(join(tmpdir(), "dynastream-tail-"));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  ddb?.destroy();
});
before(async () => {
  endpoint = await ddbEndpoint();
  ddb = clients(endpoint).ddb;
});

interface RecordLine {
  type: "record";
  eventName: string;
  shardId: string;
  sequenceNumber: string;
  ttl: boolean;
  keys: Record<string, unknown> | null;
  oldImage: Record<string, unknown> | null;
  newImage: Record<string, unknown> | null;
  changes: Array<{ path: Array<string | number>; kind: string; old?: unknown; new?: unknown }> | null;
  record: { userIdentity?: { principalId?: string; type?: string }; dynamodb: Record<string, unknown> };
}

function lines(stdout: string): string[] {
  return stdout.split("\n").filter((l) => l.trim() !== "");
}

function records(stdout: string): RecordLine[] {
  return lines(stdout)
    .map((l) => JSON.parse(l) as { type: string })
    .filter((o): o is RecordLine => o.type === "record");
}

function pkOf(r: RecordLine): unknown {
  return r.keys?.pk;
}

function tail(args: string[], timeoutMs = 120_000) {
  return runCli(["tail", ...args], { env: cliEnv(endpoint), timeoutMs });
}

async function put(table: string, item: Record<string, AttributeValue>): Promise<void> {
  await ddb.send(new PutItemCommand({ TableName: table, Item: item }));
}

async function putKeys(table: string, ...pks: string[]): Promise<void> {
  for (const pk of pks) await put(table, { pk: { S: pk }, v: { N: "1" } });
}

test("--from trim-horizon --until-end: everything written, then exit 0", async () => {
  const table = await createTable(endpoint);
  await putKeys(table, "a", "b", "c");
  const r = await tail([table, "--from", "trim-horizon", "--until-end", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(records(r.stdout).map(pkOf), ["a", "b", "c"]);
  assert.match(r.stderr, /tailing .* \(1 open shard\) from TRIM_HORIZON until caught up/);
  assert.match(r.stderr, /3 records from 1 shard, 0 gaps: caught up/);
});

test("--from latest (default): only records written after the start", async () => {
  const table = await createTable(endpoint);
  await putKeys(table, "old1", "old2");
  const p = startCli(["tail", table, "--json", "--count", "2"], { env: cliEnv(endpoint) });
  try {
    await p.waitForStderr(/tailing .* from LATEST/, 60_000); // printed once the LATEST iterators are taken
    await putKeys(table, "new1", "new2");
    const r = await p.done;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(records(r.stdout).map(pkOf), ["new1", "new2"]);
    assert.match(r.stderr, /from LATEST/);
    assert.match(r.stderr, /--count 2 reached/);
  } finally {
    p.child.kill("SIGKILL");
  }
});

test("--from <duration> and --from <ISO time>: TRIM_HORIZON, records older than the time skipped", async () => {
  const table = await createTable(endpoint);
  await putKeys(table, "a", "b");
  const recent = await tail([table, "--from", "10m", "--until-end", "--json"]);
  assert.equal(recent.code, 0, recent.stderr);
  assert.deepEqual(records(recent.stdout).map(pkOf), ["a", "b"]);
  assert.match(recent.stderr, /reading from TRIM_HORIZON, skipping older records/);
  // DynamoDB Local rounds creation times down to the minute (and tail floors --from to the minute
  // there): 90 s ahead is after every record.
  const ahead = new Date(Date.now() + 90_000).toISOString();
  const none = await tail([table, "--from", ahead, "--until-end", "--json"]);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(records(none.stdout).length, 0);
});

test("--after-sequence / --at-sequence with --shard", async () => {
  const table = await createTable(endpoint);
  await putKeys(table, "a", "b", "c");
  const all = records((await tail([table, "--from", "trim-horizon", "--until-end", "--json"])).stdout);
  const [, second] = all;
  assert.ok(second);
  const at = await tail([
    table,
    "--at-sequence",
    second.sequenceNumber,
    "--shard",
    second.shardId,
    "--json",
    "--count",
    "2",
  ]);
  assert.equal(at.code, 0, at.stderr);
  assert.deepEqual(records(at.stdout).map(pkOf), ["b", "c"]);
  const afterSeq = await tail([
    table,
    "--after-sequence",
    second.sequenceNumber,
    "--shard",
    second.shardId,
    "--json",
    "--count",
    "1",
  ]);
  assert.equal(afterSeq.code, 0, afterSeq.stderr);
  assert.deepEqual(records(afterSeq.stdout).map(pkOf), ["c"]);
});

test("--count stops after exactly n records", async () => {
  const table = await createTable(endpoint);
  await putKeys(table, "a", "b", "c", "d");
  const r = await tail([table, "--from", "trim-horizon", "--count", "2", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(records(r.stdout).map(pkOf), ["a", "b"]);
});

test("--idle-timeout ends an idle tail with exit 0", async () => {
  const table = await createTable(endpoint);
  const r = await tail([table, "--idle-timeout", "1s", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /no records for 1s \(--idle-timeout\)/);
});

async function lifecycle(table: string): Promise<void> {
  await put(table, { pk: { S: "o1" }, status: { S: "pending" }, coupon: { S: "X1" } });
  await ddb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { pk: { S: "o1" } },
      UpdateExpression: "SET #s = :s, note = :n REMOVE coupon",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": { S: "shipped" }, ":n": { S: "gift" } },
    }),
  );
  await ddb.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: "o1" } } }));
}

test("all four view types: keys, images and changes as the view carries them", async () => {
  const expect = {
    KEYS_ONLY: { insert: [false, false], modify: [false, false], remove: [false, false] },
    NEW_IMAGE: { insert: [false, true], modify: [false, true], remove: [false, false] },
    OLD_IMAGE: { insert: [false, false], modify: [true, false], remove: [true, false] },
    NEW_AND_OLD_IMAGES: { insert: [false, true], modify: [true, true], remove: [true, false] },
  } as const;
  for (const viewType of Object.keys(expect) as Array<keyof typeof expect>) {
    const table = await createTable(endpoint, { viewType });
    await lifecycle(table);
    const r = await tail([table, "--from", "trim-horizon", "--until-end", "--json"]);
    assert.equal(r.code, 0, `${viewType}: ${r.stderr}`);
    const recs = records(r.stdout);
    assert.deepEqual(
      recs.map((x) => x.eventName),
      ["INSERT", "MODIFY", "REMOVE"],
      viewType,
    );
    const [ins, mod, rem] = recs as [RecordLine, RecordLine, RecordLine];
    const has = (x: RecordLine): [boolean, boolean] => [x.oldImage !== null, x.newImage !== null];
    assert.deepEqual(has(ins), expect[viewType].insert, `${viewType} INSERT`);
    assert.deepEqual(has(mod), expect[viewType].modify, `${viewType} MODIFY`);
    assert.deepEqual(has(rem), expect[viewType].remove, `${viewType} REMOVE`);
    for (const x of recs) assert.deepEqual(x.keys, { pk: "o1" }, viewType);
    if (viewType === "NEW_AND_OLD_IMAGES") {
      // Changes follow the old image's attribute order (DynamoDB's), then added attributes.
      const sorted = [...(mod.changes ?? [])].sort((a, b) =>
        String(a.path[0]).localeCompare(String(b.path[0])),
      );
      assert.deepEqual(sorted, [
        { path: ["coupon"], kind: "removed", old: "X1" },
        { path: ["note"], kind: "added", new: "gift" },
        { path: ["status"], kind: "changed", old: "pending", new: "shipped" },
      ]);
      assert.deepEqual(mod.changes?.at(-1)?.path, ["note"]);
    } else {
      assert.equal(mod.changes, null, viewType);
    }
    const pretty = await tail([table, "--from", "trim-horizon", "--until-end", "-o", "pretty"]);
    assert.equal(pretty.code, 0, pretty.stderr);
    assert.match(pretty.stdout, /MODIFY \S+ pk=o1/);
    if (viewType === "NEW_AND_OLD_IMAGES") {
      assert.match(pretty.stdout, /~ status: "pending" → "shipped"/);
      assert.match(pretty.stdout, /\+ note: "gift"/);
      assert.match(pretty.stdout, /- coupon: "X1"/);
    }
  }
});

const BIG = "12345678901234567890123456789012345678";
const LONG_DECIMAL = "12345678901234567890.123456789";
const TINY = "0.000000000000000000000000000000000001";
const BYTES = Uint8Array.from([0, 1, 2, 127, 128, 254, 255]);

test("diffs of nested maps, lists and sets; big numbers and binary are byte-exact in every format", async () => {
  const table = await createTable(endpoint);
  await put(table, {
    pk: { S: "o1" },
    big: { N: BIG },
    dec: { N: LONG_DECIMAL },
    tiny: { N: TINY },
    bin: { B: BYTES },
    bins: { BS: [BYTES, Uint8Array.from([9])] },
    tags: { SS: ["a", "b"] },
    nums: { NS: ["1", BIG] },
    address: { M: { city: { S: "Paris" }, geo: { M: { lat: { N: "48.85" } } } } },
    items: {
      L: [
        { M: { sku: { S: "A" }, qty: { N: "1" } } },
        { M: { sku: { S: "B" }, qty: { N: "2" } } },
        { M: { sku: { S: "C" }, qty: { N: "1" } } },
      ],
    },
  });
  await ddb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { pk: { S: "o1" } },
      UpdateExpression: "SET address.city = :c, #items[2].qty = :q, address.geo.lng = :lng ADD tags :t",
      ExpressionAttributeNames: { "#items": "items" },
      ExpressionAttributeValues: {
        ":c": { S: "Lyon" },
        ":q": { N: "3" },
        ":lng": { N: "2.35" },
        ":t": { SS: ["c"] },
      },
    }),
  );
  const r = await tail([table, "--from", "trim-horizon", "--until-end", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const [insertLine, modifyLine] = lines(r.stdout) as [string, string];
  // The number tokens are written with exactly the digits DynamoDB sent (never through a double).
  assert.ok(insertLine.includes(`"big":${BIG}`), insertLine);
  assert.ok(insertLine.includes(`"dec":${LONG_DECIMAL}`), insertLine);
  assert.ok(insertLine.includes(`"tiny":${TINY}`), insertLine);
  const b64 = Buffer.from(BYTES).toString("base64");
  assert.ok(insertLine.includes(`"bin":"${b64}"`), insertLine);
  assert.ok(insertLine.includes(`"nums":[1,${BIG}]`), insertLine);
  assert.ok(insertLine.includes(`{"N":"${BIG}"}`), "the Lambda-form record keeps the typed number");
  assert.ok(insertLine.includes(`{"B":"${b64}"}`), "the Lambda-form record has base64 binary");
  const mod = JSON.parse(modifyLine) as RecordLine;
  const byPath = new Map(mod.changes?.map((c) => [JSON.stringify(c.path), c]));
  assert.deepEqual(byPath.get('["address","city"]'), {
    path: ["address", "city"],
    kind: "changed",
    old: "Paris",
    new: "Lyon",
  });
  assert.deepEqual(byPath.get('["address","geo","lng"]'), {
    path: ["address", "geo", "lng"],
    kind: "added",
    new: 2.35,
  });
  assert.deepEqual(byPath.get('["items",2,"qty"]'), {
    path: ["items", 2, "qty"],
    kind: "changed",
    old: 1,
    new: 3,
  });
  const tags = byPath.get('["tags"]');
  assert.equal(tags?.kind, "changed");
  assert.deepEqual([...((tags?.new as string[] | undefined) ?? [])].sort(), ["a", "b", "c"]);
  assert.equal(mod.changes?.length, 4, modifyLine);

  const typed = await tail([table, "--from", "trim-horizon", "--until-end", "-o", "dynamodb-json"]);
  assert.equal(typed.code, 0, typed.stderr);
  assert.ok(typed.stdout.includes(`"big":{"N":"${BIG}"}`), typed.stdout);
  assert.ok(typed.stdout.includes(`"tiny":{"N":"${TINY}"}`), typed.stdout);
  assert.ok(typed.stdout.includes(`"bin":{"B":"${b64}"}`), typed.stdout);

  const raw = await tail([table, "--from", "trim-horizon", "--until-end", "-o", "raw"]);
  assert.equal(raw.code, 0, raw.stderr);
  const rawFirst = JSON.parse(lines(raw.stdout)[0] as string) as {
    dynamodb: { NewImage: Record<string, unknown> };
  };
  assert.deepEqual(rawFirst.dynamodb.NewImage.big, { N: BIG });
  assert.deepEqual(rawFirst.dynamodb.NewImage.bin, { B: b64 });

  const pretty = await tail([table, "--from", "trim-horizon", "--until-end", "-o", "pretty"]);
  assert.match(pretty.stdout, /~ address\.city: "Paris" → "Lyon"/);
  assert.match(pretty.stdout, /~ items\[2\]\.qty: 1 → 3/);
  assert.ok(pretty.stdout.includes(`big: ${BIG}`), pretty.stdout);
});

test("TTL deletions (DynamoDB Local expires items within seconds) are flagged ttl:true", async () => {
  const table = await createTable(endpoint);
  await ddb.send(
    new UpdateTimeToLiveCommand({
      TableName: table,
      TimeToLiveSpecification: { Enabled: true, AttributeName: "expiresAt" },
    }),
  );
  const expired = Math.floor(Date.now() / 1000) - 3600;
  await put(table, { pk: { S: "gone" }, expiresAt: { N: String(expired) } });
  await put(table, { pk: { S: "manual" } });
  await ddb.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: "manual" } } }));
  const r = await tail([table, "--from", "trim-horizon", "--json", "--count", "4"], 180_000);
  assert.equal(r.code, 0, r.stderr);
  const recs = records(r.stdout);
  const removes = recs.filter((x) => x.eventName === "REMOVE");
  const ttl = removes.find((x) => pkOf(x) === "gone");
  const manual = removes.find((x) => pkOf(x) === "manual");
  assert.equal(ttl?.ttl, true);
  assert.deepEqual(ttl?.record.userIdentity, { principalId: "dynamodb.amazonaws.com", type: "Service" });
  assert.equal(manual?.ttl, false);
  const pretty = await tail([table, "--from", "trim-horizon", "--until-end", "-o", "pretty"]);
  assert.match(pretty.stdout, /REMOVE \S+ pk=gone \[ttl\]/);
});

test("a stream disabled while tailing: the remaining records, then exit 0", async () => {
  const table = await createTable(endpoint);
  await putKeys(table, "a", "b");
  const p = startCli(["tail", table, "--json", "--from", "trim-horizon"], { env: cliEnv(endpoint) });
  try {
    await p.waitForLines(2, 60_000);
    await putKeys(table, "c", "d");
    await ddb.send(
      new UpdateTableCommand({ TableName: table, StreamSpecification: { StreamEnabled: false } }),
    );
    const r = await p.done;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(records(r.stdout).map(pkOf), ["a", "b", "c", "d"]);
    assert.match(r.stderr, /the stream is disabled and all its records were read/);
  } finally {
    p.child.kill("SIGKILL");
  }
  // Tailing the disabled stream later still reads its records (24 h), with a warning.
  const later = await tail([table, "--from", "trim-horizon", "--json"]);
  assert.equal(later.code, 0, later.stderr);
  assert.equal(records(later.stdout).length, 4);
  assert.match(later.stderr, /warning: the stream of .* is DISABLED/);
});

test("checkpoint: resume after the last record written, no loss, no duplicate; 0600; validated", async () => {
  const table = await createTable(endpoint);
  const ckpt = join(dir, `${table}.ckpt`);
  await putKeys(table, "r1", "r2", "r3");
  const first = await tail([table, "--from", "trim-horizon", "--checkpoint", ckpt, "--count", "2", "--json"]);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(records(first.stdout).map(pkOf), ["r1", "r2"]);
  assert.equal(statSync(ckpt).mode & 0o777, 0o600);
  const saved = JSON.parse(readFileSync(ckpt, "utf8")) as {
    shards: Record<string, { sequenceNumber: string }>;
  };
  const second = records(first.stdout)[1] as RecordLine;
  assert.equal(saved.shards[second.shardId]?.sequenceNumber, second.sequenceNumber);

  await putKeys(table, "r4", "r5");
  const resumed = await tail([table, "--checkpoint", ckpt, "--until-end", "--json"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(records(resumed.stdout).map(pkOf), ["r3", "r4", "r5"]);
  assert.match(resumed.stderr, /from checkpoint/);

  // Ctrl-C: the summary, exit 130, and the checkpoint still saved for the next run.
  const p = startCli(["tail", table, "--checkpoint", ckpt, "--json"], { env: cliEnv(endpoint) });
  try {
    await p.waitForStderr(/tailing/, 60_000);
    await putKeys(table, "r6");
    await p.waitForLines(1, 60_000);
    p.child.kill("SIGINT");
    const r = await p.done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /tail stopped: 1 record from 1 shard, 0 gaps/);
  } finally {
    p.child.kill("SIGKILL");
  }
  await putKeys(table, "r7");
  const again = await tail([table, "--checkpoint", ckpt, "--until-end", "--json"]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(records(again.stdout).map(pkOf), ["r7"]);

  const garbage = join(dir, "garbage.ckpt");
  writeFileSync(garbage, "{oops");
  const bad = await tail([table, "--checkpoint", garbage]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /invalid checkpoint file .*garbage\.ckpt: not JSON/);

  const otherTable = await createTable(endpoint);
  const wrong = await tail([otherTable, "--checkpoint", ckpt]);
  assert.equal(wrong.code, 2, wrong.stderr);
  assert.match(wrong.stderr, /the checkpoint is for stream/);
  assert.match(wrong.stderr, /hint: a checkpoint belongs to one stream/);
});

test("checkpoint with --from latest: a restart reads what was written while it was down", async () => {
  const table = await createTable(endpoint);
  const ckpt = join(dir, `${table}-latest.ckpt`);
  await putKeys(table, "before");
  const p = startCli(["tail", table, "--checkpoint", ckpt, "--json", "--debug"], { env: cliEnv(endpoint) });
  try {
    await p.waitForStderr(/iterator at LATEST/, 60_000);
    p.child.kill("SIGINT");
    assert.equal((await p.done).code, 130);
  } finally {
    p.child.kill("SIGKILL");
  }
  await putKeys(table, "while-down");
  const r = await tail([table, "--checkpoint", ckpt, "--until-end", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  // "before" may share the start's minute on DynamoDB Local (times are rounded to the minute): it
  // can come back, "while-down" must.
  const got = records(r.stdout).map(pkOf);
  assert.ok(got.includes("while-down"), JSON.stringify(got));
  assert.equal(got.filter((x) => x === "while-down").length, 1);
});
