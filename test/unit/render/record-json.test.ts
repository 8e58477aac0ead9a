import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { _Record } from "@aws-sdk/client-dynamodb-streams";
import { toLambdaRecord } from "../../../src/core/lambda-record.js";
import { normalizeInput } from "../../../src/core/normalize-record.js";
import type { StreamRecord } from "../../../src/core/record.js";
import { changesJson, gapJsonLine, rawJson, recordJsonLine } from "../../../src/render/record-json.js";
import { sdkRecord } from "../../helpers/records.js";

const ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000";
const SHARD = "shardId-00000001704067200000-a1b2c3d4";
const N38 = "12345678901234567890123456789012345678";

/** `r` as read from input (its creation time decoded). */
function read(r: unknown): StreamRecord {
  const n = normalizeInput(r);
  if (!n.ok) assert.fail(n.error);
  return n.records[0] as StreamRecord;
}

function modify(): _Record {
  return sdkRecord({
    Keys: { orderId: { S: "order-123" }, sk: { N: N38 } },
    OldImage: {
      orderId: { S: "order-123" },
      sk: { N: N38 },
      status: { S: "pending" },
      coupon: { S: "X1" },
      gone: { NULL: true },
      items: { L: [{ M: { qty: { N: "1" } } }] },
    },
    NewImage: {
      orderId: { S: "order-123" },
      sk: { N: N38 },
      status: { S: "shipped" },
      items: { L: [{ M: { qty: { N: "2" } } }] },
      blob: { B: new Uint8Array([0, 1, 255]) },
    },
    SequenceNumber: "000000000000000000042",
    SizeBytes: 200,
  });
}

const LINE_KEYS = [
  "type",
  "eventID",
  "eventName",
  "table",
  "streamArn",
  "shardId",
  "sequenceNumber",
  "approximateCreationDateTime",
  "ttl",
  "keys",
  "oldImage",
  "newImage",
  "changes",
  "source",
  "record",
];

describe("recordJsonLine (json)", () => {
  it("writes every field, in order, in one line", () => {
    const text = recordJsonLine(modify(), { streamArn: ARN, shardId: SHARD });
    assert.ok(!text.includes("\n"));
    const o = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(o), LINE_KEYS);
    assert.equal(o.type, "record");
    assert.equal(o.eventID, "e1");
    assert.equal(o.eventName, "MODIFY");
    assert.equal(o.table, "Orders");
    assert.equal(o.streamArn, ARN);
    assert.equal(o.shardId, SHARD);
    assert.equal(o.sequenceNumber, "000000000000000000042");
    assert.equal(o.approximateCreationDateTime, "2024-01-01T12:00:05.000Z");
    assert.equal(o.ttl, false);
    assert.deepEqual(o.oldImage, {
      orderId: "order-123",
      sk: Number(N38),
      status: "pending",
      coupon: "X1",
      gone: null,
      items: [{ qty: 1 }],
    });
    assert.deepEqual((o.newImage as Record<string, unknown>).blob, "AAH/");
    assert.deepEqual(o.record, toLambdaRecord(modify(), { streamArn: ARN }));
  });

  it("keeps big numbers verbatim in the text", () => {
    const text = recordJsonLine(modify(), { streamArn: ARN });
    assert.ok(text.includes(`"keys":{"orderId":"order-123","sk":${N38}}`));
    assert.ok(text.includes(`"SequenceNumber":"000000000000000000042"`));
  });

  it("writes changes with old omitted for added and new omitted for removed", () => {
    const o = JSON.parse(recordJsonLine(modify(), {})) as { changes: unknown };
    assert.deepEqual(o.changes, [
      { path: ["status"], kind: "changed", old: "pending", new: "shipped" },
      { path: ["coupon"], kind: "removed", old: "X1" },
      { path: ["gone"], kind: "removed", old: null },
      { path: ["items", 0, "qty"], kind: "changed", old: 1, new: 2 },
      { path: ["blob"], kind: "added", new: "AAH/" },
    ]);
  });

  it("has null changes unless MODIFY with both images, and null for unknown fields", () => {
    const insert: StreamRecord = {
      eventName: "INSERT",
      dynamodb: { Keys: { id: { S: "1" } }, NewImage: { id: { S: "1" } } },
    };
    const o = JSON.parse(recordJsonLine(insert)) as Record<string, unknown>;
    assert.equal(o.changes, null);
    assert.equal(o.oldImage, null);
    assert.equal(o.table, null);
    assert.equal(o.streamArn, null);
    assert.equal(o.shardId, null);
    assert.equal(o.eventID, null);
    assert.equal(o.sequenceNumber, null);
    assert.equal(o.approximateCreationDateTime, null);
    const newOnly: StreamRecord = { eventName: "MODIFY", dynamodb: { NewImage: { id: { S: "1" } } } };
    assert.equal((JSON.parse(recordJsonLine(newOnly)) as { changes: unknown }).changes, null);
    const keysOnly: StreamRecord = { eventName: "REMOVE", dynamodb: { Keys: { id: { S: "1" } } } };
    const k = JSON.parse(recordJsonLine(keysOnly)) as Record<string, unknown>;
    assert.deepEqual([k.keys, k.oldImage, k.newImage, k.changes], [{ id: "1" }, null, null, null]);
  });

  it("marks TTL deletes and takes the table from ctx or the record's eventSourceARN", () => {
    const ttl: StreamRecord = {
      eventName: "REMOVE",
      dynamodb: { Keys: { id: { S: "1" } } },
      userIdentity: { principalId: "dynamodb.amazonaws.com", type: "Service" },
      eventSourceARN: ARN,
    };
    const o = JSON.parse(recordJsonLine(ttl)) as Record<string, unknown>;
    assert.equal(o.ttl, true);
    assert.equal(o.table, "Orders");
    assert.equal((JSON.parse(recordJsonLine(ttl, { table: "Other" })) as { table: string }).table, "Other");
  });

  it("is read back by normalizeInput as the Lambda record", () => {
    const line = recordJsonLine(modify(), { streamArn: ARN, shardId: SHARD });
    const r = normalizeInput(JSON.parse(line));
    if (!r.ok) assert.fail(r.error);
    assert.deepEqual(
      toLambdaRecord(r.records[0] as StreamRecord),
      toLambdaRecord(modify(), { streamArn: ARN }),
    );
  });
});

describe("recordJsonLine (dynamodb-json, raw)", () => {
  it("writes typed keys, images and changes", () => {
    const o = JSON.parse(recordJsonLine(modify(), { streamArn: ARN }, "dynamodb-json")) as Record<
      string,
      unknown
    >;
    assert.deepEqual(Object.keys(o), LINE_KEYS);
    assert.deepEqual(o.keys, { orderId: { S: "order-123" }, sk: { N: N38 } });
    assert.deepEqual((o.newImage as Record<string, unknown>).blob, { B: "AAH/" });
    assert.deepEqual((o.changes as unknown[])[0], {
      path: ["status"],
      kind: "changed",
      old: { S: "pending" },
      new: { S: "shipped" },
    });
  });

  it("writes the SDK record as received, dates ISO and binary base64", () => {
    const text = recordJsonLine(modify(), { streamArn: ARN }, "raw");
    const o = JSON.parse(text) as { dynamodb: Record<string, unknown>; eventSourceARN?: string };
    assert.equal(o.dynamodb.ApproximateCreationDateTime, "2024-01-01T12:00:05.000Z");
    assert.deepEqual((o.dynamodb.NewImage as Record<string, unknown>).blob, { B: "AAH/" });
    assert.equal(o.eventSourceARN, undefined);
    // and raw output is itself accepted as input
    const r = normalizeInput(o);
    assert.ok(r.ok);
  });

  it("writes a record read from input with its time as given", () => {
    const rec = read({ eventName: "INSERT", dynamodb: { ApproximateCreationDateTime: 1700000000.5 } });
    assert.equal(
      recordJsonLine(rec, {}, "raw"),
      '{"eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1700000000.5}}',
    );
  });

  it("rawJson handles the odd values", () => {
    assert.equal(
      rawJson({ a: undefined, b: [undefined, 1], c: new Date(Number.NaN), d: 10n, e: Buffer.from([1]) }),
      '{"b":[null,1],"c":null,"d":10,"e":"AQ=="}',
    );
  });
});

describe("the Lambda record of a line", () => {
  it("parses to exactly toLambdaRecord, key order included", () => {
    const recs: StreamRecord[] = [
      modify(),
      {
        eventName: "REMOVE",
        dynamodb: { Keys: { id: { B: new Uint8Array([5]) } } },
        userIdentity: { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" },
      },
      { dynamodb: {} },
      {
        eventName: "INSERT",
        dynamodb: { NewImage: { s: { SS: ["a"] }, bs: { BS: [new Uint8Array([1])] } } },
        eventSourceARN: ARN,
      },
      read({ eventName: "INSERT", dynamodb: { ApproximateCreationDateTime: 1700000000.5 } }),
      read({ dynamodb: { ApproximateCreationDateTime: 1700000000123 } }),
      read({ dynamodb: { ApproximateCreationDateTime: "2024-01-01T12:00:05.5Z" } }),
    ];
    const recordText = (line: string): string => line.slice(line.indexOf(',"record":') + 10, -1);
    for (const r of recs) {
      assert.equal(recordText(recordJsonLine(r)), JSON.stringify(toLambdaRecord(r)));
      const withArn = recordJsonLine(r, { streamArn: ARN }, "dynamodb-json");
      assert.equal(recordText(withArn), JSON.stringify(toLambdaRecord(r, { streamArn: ARN })));
    }
  });
});

describe("changesJson", () => {
  it("writes an empty diff and odd keys", () => {
    assert.equal(changesJson([]), "[]");
    assert.equal(
      changesJson([{ path: ['a"b', 3], kind: "added", new: { N: N38 } }]),
      `[{"path":["a\\"b",3],"kind":"added","new":${N38}}]`,
    );
  });
});

describe("gapJsonLine", () => {
  it("writes the gap line", () => {
    assert.equal(
      gapJsonLine({
        streamArn: ARN,
        shardId: SHARD,
        afterSequenceNumber: "000000000000000000042",
        reason: "trimmed",
        at: Date.parse("2024-01-02T00:00:00Z"),
      }),
      `{"type":"gap","streamArn":"${ARN}","shardId":"${SHARD}","afterSequenceNumber":"000000000000000000042","reason":"trimmed","at":"2024-01-02T00:00:00.000Z"}`,
    );
    assert.equal(
      gapJsonLine({ shardId: "s", reason: "expired", at: new Date(0) }),
      '{"type":"gap","streamArn":null,"shardId":"s","afterSequenceNumber":null,"reason":"expired","at":"1970-01-01T00:00:00.000Z"}',
    );
  });
});

describe("consecutive lines", () => {
  it("do not leak memoised values between records", () => {
    const a = read({
      eventName: "INSERT",
      dynamodb: { ApproximateCreationDateTime: 1704110405, Keys: { id: { S: "1" } } },
    });
    const b = read({
      eventName: "REMOVE",
      dynamodb: { ApproximateCreationDateTime: 1704110406, Keys: { id: { S: "2" } } },
    });
    const arnB = ARN.replace("Orders", "Other");
    const la = JSON.parse(recordJsonLine(a, { streamArn: ARN })) as Record<string, unknown>;
    const lb = JSON.parse(recordJsonLine(b, { streamArn: arnB })) as Record<string, unknown>;
    const la2 = JSON.parse(recordJsonLine(a, { streamArn: ARN })) as Record<string, unknown>;
    assert.deepEqual(
      [la.approximateCreationDateTime, la.table, la.eventName],
      ["2024-01-01T12:00:05.000Z", "Orders", "INSERT"],
    );
    assert.deepEqual(
      [lb.approximateCreationDateTime, lb.table, lb.eventName],
      ["2024-01-01T12:00:06.000Z", "Other", "REMOVE"],
    );
    assert.deepEqual(la2, la);
    assert.equal(
      (lb.record as { dynamodb: { ApproximateCreationDateTime: number } }).dynamodb
        .ApproximateCreationDateTime,
      1704110406,
    );
  });
});
