/**
 * Shared types of the event-filter engine (`src/core/filter`). Pure data: no I/O.
 */

/**
 * Which service's filter rules apply.
 * - `lambda`: Lambda event source mapping `FilterCriteria` (the default). Operators Lambda does not
 *   support are errors; operators whose Lambda support is unconfirmed are evaluated with a warning.
 * - `eventbridge`: EventBridge rules / Pipes (aws/event-ruler semantics), every operator accepted.
 */
export type Dialect = "lambda" | "eventbridge";

/** A problem found in user input. Diagnostics are data: the engine never throws for user input. */
export interface Diagnostic {
  level: "error" | "warning";
  /** Stable machine-readable code, e.g. `empty-array`, `lambda-unsupported-operator`. */
  code: string;
  /** Human-readable text. For invalid patterns this is AWS's (event-ruler's) reason where known. */
  message: string;
  /** Dotted path of the pattern field concerned, e.g. `dynamodb.NewImage.status.S`. */
  path?: string;
  /** 1-based position in the pattern text, when known. */
  line?: number;
  /** 1-based column (UTF-16 code units) in the pattern text, when known. */
  column?: number;
  /** Index of the filter in a criteria list (set by `compileCriteria`). */
  filter?: number;
}

/** DynamoDB stream view types (`StreamViewType`). */
export type StreamViewType = "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES";

/** One operator of a rule list, validated and normalised. */
export type Operator =
  | {
      kind: "exact-string";
      value: string /** canonical IP bytes (hex) when `value` is an IP literal */;
      ipHex?: string;
      source: string;
    }
  | { kind: "exact-number"; value: number; source: string }
  | { kind: "exact-boolean"; value: boolean; source: string }
  | { kind: "exact-null"; source: string }
  | { kind: "equals-ignore-case"; value: string; source: string }
  | { kind: "prefix"; value: string; ignoreCase: boolean; source: string }
  | { kind: "suffix"; value: string; ignoreCase: boolean; source: string }
  | { kind: "wildcard"; value: string; source: string }
  | { kind: "anything-but"; strings: string[]; numbers: number[]; source: string }
  | {
      kind: "anything-but-set";
      /** which anything-but object form */
      form: "prefix" | "suffix" | "equals-ignore-case" | "wildcard";
      values: string[];
      source: string;
    }
  | {
      kind: "numeric";
      lo: number;
      loOpen: boolean;
      hi: number;
      hiOpen: boolean;
      source: string;
    }
  | { kind: "exists"; value: boolean; source: string }
  | { kind: "cidr"; family: 4 | 6; lo: string; hi: string; source: string };

/** The rule list of one leaf field (an OR over its operators). */
export interface LeafSpec {
  /** Dotted path, pattern keys split on `.` (event-ruler joins paths with dots). */
  path: string;
  segments: string[];
  operators: Operator[];
  line: number;
  column: number;
}

/**
 * One AND-branch of a pattern after `$or` expansion: leaf specs with unique paths
 * (a later spec for the same path replaced an earlier one, as in event-ruler).
 */
export type ExpandedRule = LeafSpec[];
