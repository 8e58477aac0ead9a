/**
 * DynamoDB-specific lint rules for filter patterns: mistakes that make a valid pattern silently
 * never (or always) match DynamoDB stream records.
 */

import { isTypeTag } from "../attr.js";
import { DYNAMODB_FIELDS } from "../record.js";
import type { DuplicateKey } from "./parse.js";
import type { Diagnostic, ExpandedRule, LeafSpec, Operator, StreamViewType } from "./types.js";

const TOP_LEVEL = new Set([
  "eventID",
  "eventName",
  "eventVersion",
  "eventSource",
  "eventSourceARN",
  "awsRegion",
  "dynamodb",
  "userIdentity",
]);
const UNCONFIRMED_TOP_LEVEL = new Set(["eventSource", "eventSourceARN", "awsRegion"]);
const DYNAMODB_KEYS: ReadonlySet<string> = new Set(DYNAMODB_FIELDS);
const IMAGES = new Set(["Keys", "NewImage", "OldImage"]);
const STRING_DESCRIPTORS = new Set(["S", "N", "B", "SS", "NS", "BS"]);
const FOREIGN_KEYS: Record<string, string> = {
  body: "SQS",
  data: "Kinesis and Amazon MQ",
  value: "Kafka (Amazon MSK / self-managed)",
};

/** The fields the Kinesis destination's change record has besides a stream record's. */
const KINESIS_CHANGE_TOP_LEVEL = new Set(["tableName", "recordFormat"]);

/** Options of `lintRules`. */
export interface LintOptions {
  viewType?: StreamViewType;
  /**
   * `kinesis`: the mapping reads a table's Kinesis destination. Lambda filters Kinesis records on the
   * `data` key only (the change record, decoded), so conditions elsewhere never match, and those
   * under `data` are linted as conditions on the change record.
   * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis-filtering.html
   */
  source?: "dynamodb" | "kinesis";
}

/** Lint the expanded rules of a pattern for DynamoDB stream records. */
export function lintRules(
  rules: readonly ExpandedRule[],
  duplicates: readonly DuplicateKey[],
  opts: LintOptions,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (
    code: string,
    message: string,
    spec?: LeafSpec,
    path?: string,
    at?: { line: number; column: number },
  ): void => {
    const p = path ?? spec?.path;
    const key = `${code}\u0000${p ?? ""}`;
    if (seen.has(key)) return;
    seen.add(key);
    const d: Diagnostic = { level: "warning", code, message };
    if (p !== undefined && p !== "") d.path = p;
    const pos = at ?? spec;
    if (pos !== undefined) {
      d.line = pos.line;
      d.column = pos.column;
    }
    out.push(d);
  };

  for (const d of duplicates) {
    const path = d.parentPath === "" ? d.key : `${d.parentPath}.${d.key}`;
    let message = `Duplicate key "${d.key}" (at ${d.first.line}:${d.first.column} and ${d.last.line}:${d.last.column}): only the last value is used`;
    if (d.parentPath === "" && d.key === "dynamodb") {
      message +=
        '. Repeating "dynamodb" (as in the Lambda guide\'s NewImage/OldImage example) keeps only the last object\'s conditions here (JSON last-wins); AWS may instead combine them path by path. Put the NewImage and OldImage conditions in one "dynamodb" object';
    } else if (d.droppedObject) {
      message += ", so the conditions inside the first object are ignored; merge them into one object";
    }
    add("duplicate-key", message, undefined, path, { line: d.last.line, column: d.last.column });
  }

  const specs = new Set<LeafSpec>();
  for (const r of rules) for (const s of r) specs.add(s);

  const kinesis = opts.source === "kinesis";
  for (const given of specs) {
    let spec = given;
    if (kinesis) {
      const outer = given.segments[0] ?? "";
      if (outer !== "data") {
        add(
          "kinesis-not-data",
          outer === "dynamodb"
            ? 'Kinesis event source mappings filter only on the "data" key (the change record, decoded): "dynamodb" at the top level never matches. Put it under "data": {"data":{"dynamodb":{…}}}'
            : `Kinesis event source mappings filter only on the "data" key; "${outer}" never matches. Filter the change record under "data", e.g. {"data":{"eventName":["MODIFY"]}}`,
          given,
          outer,
        );
        continue;
      }
      if (given.segments.length < 2) continue;
      spec = { ...given, segments: given.segments.slice(1), path: given.path.slice("data.".length) };
      if (KINESIS_CHANGE_TOP_LEVEL.has(spec.segments[0] ?? "")) continue;
      if (spec.segments[0] === "dynamodb" && spec.segments[1] === "ApproximateCreationDateTimePrecision")
        continue;
    }
    const segs = spec.segments;
    const top = segs[0] ?? "";
    if (top in FOREIGN_KEYS) {
      add(
        "ddb-foreign-source-key",
        `"${top}" is the filtering key of ${FOREIGN_KEYS[top]} events; DynamoDB stream records have no "${top}" field, so this never matches. Filter DynamoDB data under "dynamodb"`,
        spec,
        top,
      );
      continue;
    }
    if (UNCONFIRMED_TOP_LEVEL.has(top)) {
      add(
        "ddb-unconfirmed-metadata",
        `Matching on "${top}" is unconfirmed for DynamoDB event source mappings (Lambda may add it after filtering); prefer eventName or dynamodb fields`,
        spec,
        top,
      );
      continue;
    }
    if (!TOP_LEVEL.has(top)) {
      const hint = DYNAMODB_KEYS.has(top) ? ` (did you mean dynamodb.${top}?)` : "";
      add(
        "ddb-unknown-field",
        `"${top}" is not a field of DynamoDB stream records${hint}; this condition sees it as absent`,
        spec,
        top,
      );
      continue;
    }
    if (top !== "dynamodb") continue;
    const second = segs[1];
    if (second === undefined) continue;
    if (!DYNAMODB_KEYS.has(second)) {
      add(
        "ddb-unknown-field",
        `"dynamodb.${second}" is not a field of DynamoDB stream records (expected one of ${[...DYNAMODB_KEYS].join(", ")})`,
        spec,
        `dynamodb.${second}`,
      );
      continue;
    }
    if (!IMAGES.has(second)) continue;
    checkView(second, spec, opts.viewType, add);
    if (segs.length === 2) {
      add(
        "ddb-missing-type-descriptor",
        `dynamodb.${second} is a map of attributes; operators on it never see a value. Name an attribute and its type, e.g. {"dynamodb":{"${second}":{"id":{"S":["x"]}}}}`,
        spec,
      );
      continue;
    }
    checkAttribute(segs, 2, spec, add);
  }
  return out;
}

type Add = (code: string, message: string, spec?: LeafSpec, path?: string) => void;

function checkView(image: string, spec: LeafSpec, viewType: StreamViewType | undefined, add: Add): void {
  if (viewType === undefined || image === "Keys") return;
  const carried =
    viewType === "NEW_AND_OLD_IMAGES" ||
    (viewType === "NEW_IMAGE" && image === "NewImage") ||
    (viewType === "OLD_IMAGE" && image === "OldImage");
  if (carried) return;
  const onlyAbsent = spec.operators.every((o) => o.kind === "exists" && !o.value);
  add(
    "ddb-image-not-in-view",
    `The stream's view type ${viewType} does not carry ${image}, so dynamodb.${image} is always absent: this condition ${onlyAbsent ? "always matches" : "never matches"}`,
    spec,
    `dynamodb.${image}`,
  );
}

/** `segs[i]` names an attribute (a key under Keys/NewImage/OldImage or under an `M`). */
function checkAttribute(segs: readonly string[], i: number, spec: LeafSpec, add: Add): void {
  if (i === segs.length - 1) {
    const exists = spec.operators.filter((o) => o.kind === "exists");
    const others = spec.operators.filter((o) => o.kind !== "exists");
    const attr = segs[i]!;
    if (exists.length > 0) {
      add(
        "ddb-exists-on-attribute",
        `"exists" on an attribute node: the attribute value is an object such as {"S": "…"}, so exists:true never matches and exists:false always matches. Put exists inside the type descriptor, e.g. {"${attr}":{"S":[{"exists":true}]}}`,
        spec,
      );
    }
    if (others.length > 0) {
      add(
        "ddb-missing-type-descriptor",
        `the attribute value is an object with a type descriptor (e.g. {"S": "…"}), so this never matches. Add the descriptor, e.g. {"${attr}":{"S":${others.length === 1 ? `[${others[0]!.source}]` : "[…]"}}}`,
        spec,
      );
    }
    return;
  }
  checkDescriptor(segs, i + 1, spec, add);
}

/** `segs[i]` should be a type descriptor of an attribute value. */
function checkDescriptor(segs: readonly string[], i: number, spec: LeafSpec, add: Add): void {
  const d = segs[i]!;
  const isLast = i === segs.length - 1;
  if (d === "M") {
    if (isLast) {
      add(
        "ddb-operator-on-container",
        `an M value is a map of attributes; operators on it never see a value`,
        spec,
      );
      return;
    }
    checkAttribute(segs, i + 1, spec, add);
    return;
  }
  if (d === "L") {
    if (isLast) {
      add(
        "ddb-operator-on-container",
        `an L value is a list of attribute values; match on the element type, e.g. {"L":{"S":[…]}}`,
        spec,
      );
      return;
    }
    checkDescriptor(segs, i + 1, spec, add);
    return;
  }
  if (!isTypeTag(d)) {
    add(
      "ddb-missing-type-descriptor",
      `"${d}" is not a DynamoDB type descriptor (S, N, B, BOOL, NULL, M, L, SS, NS, BS); attribute values look like {"S": "…"}`,
      spec,
    );
    return;
  }
  if (!isLast) {
    add(
      "ddb-path-below-scalar",
      `${segs.slice(0, i + 2).join(".")}: a ${d} value has no fields below it; this never matches`,
      spec,
    );
    return;
  }
  checkValueTypes(d, spec, add);
}

function checkValueTypes(d: string, spec: LeafSpec, add: Add): void {
  const ops = spec.operators;
  if ((d === "N" || d === "NS") && ops.some((o) => o.kind === "numeric")) {
    add(
      "ddb-numeric-on-number",
      `numeric never matches here: DynamoDB stream records carry ${d} values as strings (e.g. "42"). Use exact strings, prefix or anything-but on the string form`,
      spec,
    );
  }
  if (STRING_DESCRIPTORS.has(d)) {
    const bad = ops.filter(
      (o): o is Operator =>
        o.kind === "exact-number" || o.kind === "exact-boolean" || o.kind === "exact-null",
    );
    if (bad.length > 0) {
      const example = bad[0]!;
      const fix =
        example.kind === "exact-number"
          ? `use "${example.source}" instead of ${example.source}`
          : "use a string";
      add(
        "ddb-value-type",
        `${d} values are strings in stream records, so ${bad.map((o) => o.source).join(", ")} never matches; ${fix}`,
        spec,
      );
    }
  }
  if (d === "BOOL") {
    const bad = ops.filter((o) => o.kind === "exact-string" || o.kind === "exact-number");
    if (bad.length > 0) {
      add(
        "ddb-value-type",
        `BOOL values are JSON booleans, so ${bad.map((o) => o.source).join(", ")} never matches; use true or false`,
        spec,
      );
    }
  }
  if (d === "NULL") {
    const bad = ops.filter((o) => o.kind.startsWith("exact-") && !(o.kind === "exact-boolean" && o.value));
    if (bad.length > 0) {
      add(
        "ddb-value-type",
        `NULL values are always true in stream records, so ${bad.map((o) => o.source).join(", ")} never matches`,
        spec,
      );
    }
  }
}
