import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { _Record } from "@aws-sdk/client-dynamodb-streams";
import { toLambdaRecord } from "../../../src/core/lambda-record.js";
import { decodeKinesisChange, normalizeInput } from "../../../src/core/normalize-record.js";
import type { StreamRecord } from "../../../src/core/record.js";
import { creationTimeMs, isTtlDelete, sequenceOf, tableFromStreamArn } from "../../../src/core/record.js";
import { goV1 } from "../../helpers/attr.js";
import { ARN, lambdaRecord as recordOf, sdkRecord as sdkRecordOf } from "../../helpers/records.js";

/** A record as the SDK returns it from GetRecords (Date, Uint8Array, capitalised identity). */
function sdkRecord(over: Partial<_Record> = {}): _Record {
  return sdkRecordOf(
    {
      Keys: { orderId: { S: "order-123" } },
      NewImage: { orderId: { S: "order-123" }, blob: { B: new Uint8Array([0, 1, 255]) }, n: { N: "1.50" } },
      OldImage: { orderId: { S: "order-123" }, blob: { B: new Uint8Array([0]) }, n: { N: "1" } },
      SequenceNumber: "000000000000000000042",
      SizeBytes: 120,
    },
    over,
  );
}

/** The same record as Lambda delivers it. */
function lambdaRecord(): Record<string, unknown> {
  return recordOf(
    {},
    {
      Keys: { orderId: { S: "order-123" } },
      NewImage: { orderId: { S: "order-123" }, blob: { B: "AAH/" }, n: { N: "1.50" } },
      OldImage: { orderId: { S: "order-123" }, blob: { B: "AA==" }, n: { N: "1" } },
      SequenceNumber: "000000000000000000042",
      SizeBytes: 120,
    },
  );
}

describe("StreamRecord", () => {
  it("accepts an SDK _Record without a cast", () => {
    const r: StreamRecord = sdkRecord();
    assert.equal(r.eventName, "MODIFY");
  });
});

describe("isTtlDelete", () => {
  const remove = (userIdentity: StreamRecord["userIdentity"], eventName = "REMOVE"): StreamRecord => ({
    eventName,
    dynamodb: { Keys: { id: { S: "1" } } },
    userIdentity,
  });
  it("recognises both key casings", () => {
    assert.ok(isTtlDelete(remove({ PrincipalId: "dynamodb.amazonaws.com", Type: "Service" })));
    assert.ok(isTtlDelete(remove({ principalId: "dynamodb.amazonaws.com", type: "Service" })));
  });
  it("rejects user deletes, other principals and non-REMOVE events", () => {
    assert.ok(!isTtlDelete(remove(undefined)));
    assert.ok(!isTtlDelete(remove({})));
    assert.ok(!isTtlDelete(remove({ PrincipalId: "someone", Type: "Service" })));
    assert.ok(!isTtlDelete(remove({ PrincipalId: "dynamodb.amazonaws.com", Type: "User" })));
    assert.ok(!isTtlDelete(remove({ PrincipalId: "dynamodb.amazonaws.com", Type: "Service" }, "MODIFY")));
  });
  it("works on an SDK record", () => {
    assert.ok(
      isTtlDelete(
        sdkRecord({
          eventName: "REMOVE",
          userIdentity: { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" },
        }),
      ),
    );
  });
});

describe("creation time", () => {
  /** The record read from input with creation time `t`. */
  const at = (t: unknown): StreamRecord => {
    const r = normalizeInput({ dynamodb: { ApproximateCreationDateTime: t } });
    if (!r.ok) assert.fail(r.error);
    return r.records[0] as StreamRecord;
  };
  it("decodes Date, epoch seconds, epoch milliseconds, numeric and ISO strings once, to epoch ms", () => {
    const ms = Date.parse("2024-01-01T12:00:05Z");
    for (const t of [new Date(ms), ms / 1000, ms, "1704110405.0", " 1704110405 ", "2024-01-01T12:00:05Z"]) {
      assert.equal(at(t).creationMs, ms, String(t));
      assert.equal(creationTimeMs(at(t)), ms, String(t));
    }
    assert.equal(creationTimeMs(at(1700000000.123)), 1700000000123);
    assert.equal(creationTimeMs(at("1e999")), undefined);
    assert.equal(creationTimeMs({}), undefined);
  });
  it("keeps the time as given in the record, for raw output", () => {
    assert.equal(at("1704110405.0").dynamodb?.ApproximateCreationDateTime, "1704110405.0");
  });
  it("reads the SDK's Date", () => {
    const ms = Date.parse("2024-01-01T12:00:05Z");
    assert.equal(creationTimeMs({ dynamodb: { ApproximateCreationDateTime: new Date(ms) } }), ms);
    assert.equal(
      creationTimeMs({ dynamodb: { ApproximateCreationDateTime: new Date(Number.NaN) } }),
      undefined,
    );
  });
});

describe("toLambdaRecord", () => {
  it("gives the record as Lambda delivers it", () => {
    assert.deepEqual(toLambdaRecord(sdkRecord(), { streamArn: ARN }), lambdaRecord());
  });
  it("keeps fields in the Lambda order, lower-cases userIdentity and omits what is unknown", () => {
    const r = toLambdaRecord(
      sdkRecord({
        eventName: "REMOVE",
        userIdentity: { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" },
      }),
    );
    assert.deepEqual(Object.keys(r), [
      "eventID",
      "eventName",
      "eventVersion",
      "eventSource",
      "awsRegion",
      "dynamodb",
      "userIdentity",
    ]);
    assert.deepEqual(r.userIdentity, { principalId: "dynamodb.amazonaws.com", type: "Service" });
    assert.equal(r.eventSourceARN, undefined);
    assert.deepEqual(Object.keys(r.dynamodb), [
      "ApproximateCreationDateTime",
      "Keys",
      "NewImage",
      "OldImage",
      "SequenceNumber",
      "SizeBytes",
      "StreamViewType",
    ]);
  });
  it("is idempotent on a Lambda-shaped record and keeps its eventSourceARN", () => {
    const n = normalizeInput(lambdaRecord());
    assert.ok(n.ok);
    assert.deepEqual(toLambdaRecord(n.records[0] as StreamRecord), lambdaRecord());
  });
  it("keeps a fractional creation time exactly", () => {
    const r = toLambdaRecord({ dynamodb: { ApproximateCreationDateTime: new Date(1700000000123) } });
    assert.equal(r.dynamodb.ApproximateCreationDateTime, 1700000000.123);
    for (const t of [1700000000.123, 1700000000.5, 1704110405]) {
      const n = normalizeInput({ dynamodb: { ApproximateCreationDateTime: t } });
      assert.ok(n.ok);
      assert.equal(toLambdaRecord(n.records[0] as StreamRecord).dynamodb.ApproximateCreationDateTime, t);
    }
  });
});

describe("tableFromStreamArn", () => {
  it("extracts the table", () => {
    assert.equal(tableFromStreamArn(ARN), "Orders");
    assert.equal(tableFromStreamArn("arn:aws:dynamodb:ddblocal:000000000000:table/T1/stream/x"), "T1");
    assert.equal(tableFromStreamArn("nope"), undefined);
    assert.equal(tableFromStreamArn(undefined), undefined);
  });
});

describe("normalizeInput", () => {
  const ok = (v: unknown): StreamRecord[] => {
    const r = normalizeInput(v);
    if (!r.ok) assert.fail(r.error);
    return r.records;
  };
  const err = (v: unknown): string => {
    const r = normalizeInput(v);
    assert.ok(!r.ok, "expected an error");
    return r.error;
  };

  it("accepts a single Lambda-shaped record", () => {
    const [r] = ok(lambdaRecord());
    assert.equal(r?.eventSourceARN, ARN);
    assert.equal(r?.dynamodb?.NewImage?.blob?.B, "AAH/");
  });

  it("accepts SDK-shaped records with the time as ISO string, Date or number", () => {
    for (const t of [
      "2024-01-01T12:00:05.000Z",
      new Date("2024-01-01T12:00:05Z"),
      1704110405,
      1704110405000,
    ]) {
      const rec = {
        ...lambdaRecord(),
        dynamodb: { ...(lambdaRecord().dynamodb as object), ApproximateCreationDateTime: t },
      };
      const [r] = ok(rec);
      assert.equal(creationTimeMs(r as StreamRecord), Date.parse("2024-01-01T12:00:05Z"));
    }
    const sdk = ok(sdkRecord());
    assert.deepEqual(toLambdaRecord(sdk[0] as StreamRecord, { streamArn: ARN }), lambdaRecord());
  });

  it("accepts an array, a Lambda event and tail's NDJSON objects, skipping gaps", () => {
    assert.equal(ok([lambdaRecord(), lambdaRecord()]).length, 2);
    assert.equal(ok({ Records: [lambdaRecord(), lambdaRecord(), lambdaRecord()] }).length, 3);
    const tailLine = { type: "record", eventID: "e1", table: "Orders", record: lambdaRecord() };
    assert.deepEqual(ok(tailLine), ok(lambdaRecord()));
    assert.deepEqual(ok({ type: "gap", shardId: "s", reason: "trimmed" }), []);
    assert.equal(ok([tailLine, { type: "gap" }, { Records: [lambdaRecord()] }]).length, 2);
  });

  it("treats null images as absent", () => {
    const rec = {
      eventName: "INSERT",
      dynamodb: { Keys: { id: { S: "1" } }, NewImage: { id: { S: "1" } }, OldImage: null },
    };
    const [r] = ok(rec);
    assert.equal(r?.dynamodb?.OldImage, undefined);
    assert.equal("OldImage" in (r?.dynamodb ?? {}), false);
  });

  it("explains wrong shapes", () => {
    assert.equal(err({ eventName: "INSERT" }), 'not a DynamoDB stream record (no "dynamodb" object)');
    assert.equal(err(42), "not a DynamoDB stream record (got number, expected an object)");
    assert.equal(err(null), "not a DynamoDB stream record (got null, expected an object)");
    assert.equal(
      err({ Records: [lambdaRecord(), { foo: 1 }] }),
      'Records[1]: not a DynamoDB stream record (no "dynamodb" object)',
    );
    assert.equal(
      err([lambdaRecord(), "x"]),
      "[1]: not a DynamoDB stream record (got string, expected an object)",
    );
    assert.equal(
      err({ type: "record", record: { x: 1 } }),
      'record: not a DynamoDB stream record (no "dynamodb" object)',
    );
    assert.match(err({ type: "heartbeat" }), /unknown line type "heartbeat"/);
    assert.match(err({ NewImage: { id: { S: "1" } } }), /belong inside "dynamodb"/);
    assert.match(err({ dynamodb: null }), /"dynamodb" is null/);
    assert.equal(
      err({ eventName: "INSERT", dynamodb: { NewImage: { price: 5 } } }),
      'dynamodb.NewImage.price: not a DynamoDB attribute value (got number 5; expected e.g. {"S": "text"})',
    );
    assert.equal(
      err({ eventName: "insert", dynamodb: {} }),
      'eventName must be INSERT, MODIFY or REMOVE, got "insert"',
    );
    assert.match(err({ dynamodb: { SequenceNumber: 42 } }), /SequenceNumber must be a string of digits/);
    assert.match(
      err({ dynamodb: { ApproximateCreationDateTime: "soon" } }),
      /neither epoch seconds nor an ISO-8601 time/,
    );
    assert.match(err({ dynamodb: {}, userIdentity: "svc" }), /userIdentity must be an object/);
    assert.equal(
      err({ dynamodb: { ApproximateCreationDateTime: true } }),
      "dynamodb.ApproximateCreationDateTime must be epoch seconds or an ISO-8601 string",
    );
    assert.equal(
      err({ dynamodb: { ApproximateCreationDateTime: new Date(Number.NaN) } }),
      "dynamodb.ApproximateCreationDateTime is an invalid date",
    );
    assert.equal(
      err({ dynamodb: { ApproximateCreationDateTime: Number.POSITIVE_INFINITY } }),
      "dynamodb.ApproximateCreationDateTime must be a finite number",
    );
    assert.match(err({ dynamodb: { ApproximateCreationDateTime: "2024-13-45T99:00:00Z" } }), /neither epoch/);
  });

  it("reads images written with every type descriptor, the unused ones null (AWS SDK for Go v1)", () => {
    const [r] = ok({
      eventName: "INSERT",
      dynamodb: {
        Keys: { id: goV1("S", "a") },
        NewImage: {
          id: goV1("S", "a"),
          m: goV1("M", { f: goV1("BOOL", false), l: goV1("L", [goV1("NULL", true)]) }),
        },
      },
    });
    assert.deepEqual(r?.dynamodb?.Keys, { id: { S: "a" } });
    assert.deepEqual(r?.dynamodb?.NewImage, {
      id: { S: "a" },
      m: { M: { f: { BOOL: false }, l: { L: [{ NULL: true }] } } },
    });
  });
});

describe("creation time units (Kinesis destination precisions, and digits)", () => {
  const at = (d: Record<string, unknown>) => normalizeInput({ dynamodb: d });
  it("the precision field decides: MICROSECOND keeps microseconds, MILLISECOND reads milliseconds", () => {
    const us = at({
      ApproximateCreationDateTime: 1764717833012995,
      ApproximateCreationDateTimePrecision: "MICROSECOND",
    });
    assert.ok(us.ok);
    assert.equal(us.records[0]?.creationMs, 1764717833012);
    assert.equal(us.records[0]?.creationUs, 1764717833012995);
    const ms = at({
      ApproximateCreationDateTime: 1764717833012,
      ApproximateCreationDateTimePrecision: "MILLISECOND",
    });
    assert.ok(ms.ok);
    assert.equal(ms.records[0]?.creationMs, 1764717833012);
    assert.equal(ms.records[0]?.creationUs, undefined);
  });
  it("without it, the digits do: 10 seconds, 13 milliseconds, 16 microseconds; other lengths are errors", () => {
    const get = (t: number) => {
      const r = at({ ApproximateCreationDateTime: t });
      return r.ok ? r.records[0]?.creationMs : r.error;
    };
    assert.equal(get(1764717833), 1764717833000);
    assert.equal(get(1764717833012), 1764717833012);
    assert.equal(get(1764717833012995), 1764717833012);
    assert.match(
      String(get(176471783301)),
      /has 12 digits: neither epoch seconds \(10\), milliseconds \(13\) nor microseconds \(16\)/,
    );
    const bad = at({ ApproximateCreationDateTime: 1, ApproximateCreationDateTimePrecision: "NANOSECOND" });
    assert.ok(!bad.ok);
    assert.match(bad.error, /MICROSECOND or MILLISECOND/);
  });
});

describe("change records from a Kinesis destination", () => {
  const change = {
    awsRegion: "us-east-1",
    eventID: "2c3f7e1a-0000-4000-8000-000000000001",
    eventName: "MODIFY",
    userIdentity: null,
    recordFormat: "application/json",
    tableName: "Orders",
    dynamodb: {
      ApproximateCreationDateTime: 1764717833012995,
      Keys: { pk: { S: "o1" } },
      NewImage: { pk: { S: "o1" }, n: { N: "2" } },
      OldImage: { pk: { S: "o1" }, n: { N: "1" } },
      SizeBytes: 30,
      ApproximateCreationDateTimePrecision: "MICROSECOND",
    },
    eventSource: "aws:dynamodb",
  };
  const data = Buffer.from(JSON.stringify(change)).toString("base64");
  it("decodes a Kinesis record's data into the record model, the envelope kept", () => {
    const rec = decodeKinesisChange({
      sequenceNumber: "4965",
      partitionKey: "ABC",
      data,
      arrivalMs: 1764717833100,
    });
    assert.equal(rec.decodeError, undefined);
    assert.equal(rec.tableName, "Orders");
    assert.equal(rec.recordFormat, "application/json");
    assert.equal(rec.creationUs, 1764717833012995);
    assert.equal(sequenceOf(rec), "4965");
    assert.equal(rec.kinesis?.data, data);
  });
  it("data that is not a change record is marked, not thrown", () => {
    const junk = decodeKinesisChange({
      sequenceNumber: "1",
      partitionKey: "p",
      data: Buffer.from("hello").toString("base64"),
    });
    assert.match(junk.decodeError ?? "", /not JSON/);
    const other = decodeKinesisChange({
      sequenceNumber: "1",
      partitionKey: "p",
      data: Buffer.from('{"a":1}').toString("base64"),
    });
    assert.match(other.decodeError ?? "", /no "dynamodb" object/);
  });
  it("reads a Kinesis Lambda event; bad data names the record", () => {
    const event = {
      Records: [
        {
          kinesis: {
            kinesisSchemaVersion: "1.0",
            partitionKey: "ABC",
            sequenceNumber: "4965",
            data,
            approximateArrivalTimestamp: 1764717833.1,
          },
          eventSource: "aws:kinesis",
          eventID: "shardId-000000000003:4965",
          eventSourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/orders-cdc",
        },
      ],
    };
    const r = normalizeInput(event, "line 1");
    assert.ok(r.ok);
    assert.equal(r.records[0]?.kinesis?.shardId, "shardId-000000000003");
    assert.equal(
      r.records[0]?.kinesis?.streamArn,
      "arn:aws:kinesis:us-east-1:123456789012:stream/orders-cdc",
    );
    assert.equal(r.records[0]?.eventName, "MODIFY");
    const bad = normalizeInput(
      { kinesis: { sequenceNumber: "1", partitionKey: "p", data: "aGk=" } },
      "line 4",
    );
    assert.ok(!bad.ok);
    assert.match(bad.error, /^line 4: kinesis\.data: data is not JSON/);
  });
});
