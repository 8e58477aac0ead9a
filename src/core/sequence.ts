/**
 * Sequence numbers are decimal strings of 21 to 40 digits whose lengths differ between shards and
 * services: compare them as BigInt, never as strings.
 */
export function compareSequence(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** True for a syntactically valid sequence number (digits only, 1 to 40 of them). */
export function isSequenceNumber(s: string): boolean {
  return /^\d{1,40}$/.test(s);
}
