/**
 * Generated DynamoDB stream records in Lambda shape, for the differential tests of the fast readers
 * (render/fast-line.ts, io/filter-line.ts): every attribute type, nesting, escapes, non-ASCII text,
 * odd numbers, names that need care (`__proto__`, integer-like, quotes), creation times in seconds and
 * in milliseconds.
 */
export const STRINGS = [
  "",
  "a",
  "hello world",
  'say "hi"',
  "back\\slash",
  "line\nbreak\ttab",
  "\u0001\u001f",
  "é ü ß",
  "日本語",
  "emoji 😀",
  "\u2028\u2029",
  "\u007f",
  '{"S":"x"}',
];
export const NUMBERS = [
  "0",
  "1",
  "-1",
  "1.5",
  "1000.123456789012345678",
  "1E+40",
  "1e3",
  ".5",
  "5.",
  "+1",
  "-0",
  "1.0",
];
export const NAMES = [
  "a",
  "b",
  "status",
  "customer",
  "items",
  "x y",
  "é",
  "S",
  "M",
  "__proto__",
  "0x",
  "01",
  'with"quote',
];

export function value(rnd: (n: number) => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)] as T;
  switch (rnd(depth > 2 ? 7 : 10)) {
    case 0:
      return { S: pick(STRINGS) };
    case 1:
      return { N: pick(NUMBERS) };
    case 2:
      return { B: pick(["", "AAEC", "AAAAAQIDBAU=", "aGk="]) };
    case 3:
      return { BOOL: rnd(2) === 0 };
    case 4:
      return { NULL: true };
    case 5:
      return { SS: [pick(STRINGS), pick(STRINGS)].filter((s, i, a) => a.indexOf(s) === i) };
    case 6:
      return rnd(2) === 0 ? { NS: [pick(NUMBERS), pick(NUMBERS)] } : { BS: ["AAEC", "aGk="] };
    case 7:
    case 8:
      return { M: map(rnd, depth + 1) };
    default: {
      const l: unknown[] = [];
      for (let i = rnd(4); i > 0; i--) l.push(value(rnd, depth + 1));
      return { L: l };
    }
  }
}

export function map(rnd: (n: number) => number, depth: number): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  for (let i = rnd(5); i > 0; i--) m[NAMES[rnd(NAMES.length)] as string] = value(rnd, depth);
  return m;
}

/** A changed copy of an image: some attributes changed, removed, added, or nested ones changed. */
export function mutate(rnd: (n: number) => number, m: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) {
    const r = rnd(6);
    if (r === 0) continue;
    if (r === 1) out[k] = value(rnd, 1);
    else if (r === 2 && typeof v === "object" && v !== null && "M" in v)
      out[k] = { M: mutate(rnd, (v as { M: Record<string, unknown> }).M) };
    else if (r === 3 && typeof v === "object" && v !== null && "L" in v) {
      const l = [...(v as { L: unknown[] }).L];
      if (l.length > 0) l[rnd(l.length)] = value(rnd, 2);
      if (rnd(3) === 0) l.push(value(rnd, 2));
      out[k] = { L: l };
    } else out[k] = v;
  }
  if (rnd(3) === 0) out[NAMES[rnd(NAMES.length)] as string] = value(rnd, 1);
  return out;
}

export function record(rnd: (n: number) => number, i: number): Record<string, unknown> {
  const eventName = ["INSERT", "MODIFY", "MODIFY", "REMOVE"][rnd(4)] as string;
  const keys = { pk: { S: `k${i}` }, ...(rnd(2) === 0 ? { sk: { N: String(i) } } : {}) };
  const oldImage = { ...keys, ...map(rnd, 0) };
  const newImage = rnd(4) === 0 ? oldImage : { ...keys, ...mutate(rnd, oldImage) };
  const d: Record<string, unknown> = {
    ApproximateCreationDateTime: [1704110405, 1704110405.5, 1704110405123, 0][rnd(4)],
    Keys: keys,
    SequenceNumber: String(100000000000000000000n + BigInt(i)),
    SizeBytes: 100 + rnd(300),
    StreamViewType: "NEW_AND_OLD_IMAGES",
  };
  if (eventName !== "INSERT") d.OldImage = oldImage;
  if (eventName !== "REMOVE") d.NewImage = newImage;
  const r: Record<string, unknown> = {
    eventID: `id-${i}`,
    eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    dynamodb: d,
  };
  if (rnd(3) > 0)
    r.eventSourceARN = `arn:aws:dynamodb:us-east-1:123456789012:table/${["Orders", "Ünïcode"][rnd(2)]}/stream/2024-01-01T00:00:00.000`;
  return r;
}
