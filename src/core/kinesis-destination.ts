/**
 * The Kinesis Data Streams destination of a table, as plain values: its statuses, the precision of
 * its record times, and what `enable --kinesis` must do given what is there. No I/O.
 * Statuses and precisions: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_KinesisDataStreamDestination.html
 */

/** `DestinationStatus` values AWS documents. */
export const DESTINATION_STATUSES = [
  "ENABLING",
  "ACTIVE",
  "DISABLING",
  "DISABLED",
  "ENABLE_FAILED",
  "UPDATING",
] as const;

/** `ApproximateCreationDateTimePrecision`: the unit of the records' `ApproximateCreationDateTime`. */
export type Precision = "MILLISECOND" | "MICROSECOND";

/** One destination, as `describe --json` shows it (documented). */
export interface KinesisDestination {
  streamArn: string;
  status: string;
  statusDescription: string | null;
  /** AWS leaves it out for destinations enabled before precisions existed: milliseconds. */
  precision: Precision;
}

/** JSON result of `enable --kinesis` / `disable --kinesis` (documented). */
export interface KinesisControlResult {
  table: string;
  kinesisStreamArn: string;
  status: string;
  statusDescription: string | null;
  precision: Precision;
  changed: boolean;
}

/** `--precision`: `microsecond`/`millisecond` in any letter case (also the API's spelling). */
export function parsePrecision(text: string): Precision | undefined {
  const t = text.trim().toUpperCase();
  if (t === "MICROSECOND" || t === "MICROSECONDS" || t === "US") return "MICROSECOND";
  if (t === "MILLISECOND" || t === "MILLISECONDS" || t === "MS") return "MILLISECOND";
  return undefined;
}

/** What `enable --kinesis` does about one stream, given the table's destinations. */
export type EnablePlan =
  | { action: "enable" }
  | { action: "update"; current: KinesisDestination }
  | { action: "none"; current: KinesisDestination };

/**
 * Enable when the stream is not a destination (or its last attempt is DISABLED / ENABLE_FAILED);
 * nothing when it is one with that precision (whatever the transition under way: ENABLING, UPDATING);
 * UpdateKinesisStreamingDestination when an ACTIVE one has another precision. A precision not asked
 * for (`undefined`) accepts the one in place.
 */
export function planEnable(
  destinations: KinesisDestination[],
  streamArn: string,
  precision: Precision | undefined,
): EnablePlan {
  const current = destinations.find(
    (d) => d.streamArn === streamArn && d.status !== "DISABLED" && d.status !== "ENABLE_FAILED",
  );
  if (!current) return { action: "enable" };
  if (precision === undefined || precision === current.precision) return { action: "none", current };
  return { action: "update", current };
}

/** Destinations that replicate (or are about to): ACTIVE, ENABLING, UPDATING. */
export function liveDestinations(destinations: KinesisDestination[]): KinesisDestination[] {
  return destinations.filter(
    (d) => d.status === "ACTIVE" || d.status === "ENABLING" || d.status === "UPDATING",
  );
}
