// Attribute values as other tools write them, for tests of reading input.

/** Every DynamoDB type descriptor, null. */
export const NULL_DESCRIPTORS = {
  B: null,
  BOOL: null,
  BS: null,
  L: null,
  M: null,
  N: null,
  NS: null,
  NULL: null,
  S: null,
  SS: null,
} as const;

/**
 * `{<tag>: v}` as the AWS SDK for Go v1 marshals it: every type descriptor present, the unused ones
 * null (`goV1("S", "x")` is `{"B":null,"BOOL":null,…,"S":"x","SS":null}`).
 */
export function goV1(tag: string, v: unknown): Record<string, unknown> {
  return { ...NULL_DESCRIPTORS, [tag]: v };
}
