/**
 * The DynamoDB attribute value type: our own (no SDK import, so the core stays pure), mirroring the
 * SDK's `AttributeValue` union member by member (each member forbids the other tags with `?: never`),
 * so an SDK value is assignable to ours without a cast, and `av.S !== undefined` style checks narrow.
 * `B` is a `Uint8Array` when it comes from the SDK (the client base64-decodes it) and a base64
 * `string` when it comes from a Lambda event or a JSON file. Re-exported by core/attr.ts.
 */
import type { Binary } from "./attr-scalars.js";

interface NoTags {
  S?: never;
  N?: never;
  B?: never;
  SS?: never;
  NS?: never;
  BS?: never;
  M?: never;
  L?: never;
  NULL?: never;
  BOOL?: never;
  $unknown?: never;
}

/** `{"S": "text"}` */
export interface SValue extends Omit<NoTags, "S"> {
  S: string;
}
/** `{"N": "12.5"}`: numbers are strings, up to 38 significant digits. */
export interface NValue extends Omit<NoTags, "N"> {
  N: string;
}
/** `{"B": bytes}` */
export interface BValue extends Omit<NoTags, "B"> {
  B: Binary;
}
/** `{"SS": ["a", "b"]}` */
export interface SSValue extends Omit<NoTags, "SS"> {
  SS: string[];
}
/** `{"NS": ["1", "2"]}` */
export interface NSValue extends Omit<NoTags, "NS"> {
  NS: string[];
}
/** `{"BS": [bytes, ...]}` */
export interface BSValue extends Omit<NoTags, "BS"> {
  BS: Binary[];
}
/** `{"M": {...}}` */
export interface MValue extends Omit<NoTags, "M"> {
  M: AttributeMap;
}
/** `{"L": [...]}` */
export interface LValue extends Omit<NoTags, "L"> {
  L: AttributeValue[];
}
/** `{"NULL": true}` */
export interface NULLValue extends Omit<NoTags, "NULL"> {
  NULL: boolean;
}
/** `{"BOOL": true}` */
export interface BOOLValue extends Omit<NoTags, "BOOL"> {
  BOOL: boolean;
}
/** The SDK's catch-all for a tag it does not know (`$unknown: [tag, value]`). */
export interface UnknownValue extends Omit<NoTags, "$unknown"> {
  $unknown: [string, unknown];
}

/** One DynamoDB attribute value; structurally compatible with `@aws-sdk/client-dynamodb(-streams)`. */
export type AttributeValue =
  | SValue
  | NValue
  | BValue
  | SSValue
  | NSValue
  | BSValue
  | MValue
  | LValue
  | NULLValue
  | BOOLValue
  | UnknownValue;

/** An item, a key or a stream image: attribute name → value. */
export type AttributeMap = Record<string, AttributeValue>;

/** What each of the ten type tags holds: the keys and value types of {@link TYPES}. */
export interface TagValues {
  S: string;
  N: string;
  B: Binary;
  SS: string[];
  NS: string[];
  BS: Binary[];
  M: AttributeMap;
  L: AttributeValue[];
  NULL: boolean;
  BOOL: boolean;
}

/** One of the ten DynamoDB type tags. */
export type TypeTag = keyof TagValues;

/** The type tag of an attribute value, or the SDK's `$unknown` (a tag the SDK did not know). */
export type AttributeTag = TypeTag | "$unknown";

/** The tag of `av`, tested in rough order of frequency (this is on the hot path). */
export function tagOf(av: AttributeValue): AttributeTag {
  if (av.S !== undefined) return "S";
  if (av.N !== undefined) return "N";
  if (av.M !== undefined) return "M";
  if (av.L !== undefined) return "L";
  if (av.BOOL !== undefined) return "BOOL";
  if (av.NULL !== undefined) return "NULL";
  if (av.B !== undefined) return "B";
  if (av.SS !== undefined) return "SS";
  if (av.NS !== undefined) return "NS";
  if (av.BS !== undefined) return "BS";
  return "$unknown";
}

/** The value under tag `t` of `av` (the tag {@link tagOf} gave), for a row of a table keyed by tag. */
export function valueAt(av: AttributeValue, t: TypeTag): unknown {
  return (av as Partial<TagValues>)[t];
}

/** The value `{<t>: v}`; `v` must be what tag `t` holds (a row of the table of types made or checked it). */
export function tagged(t: TypeTag, v: unknown): AttributeValue {
  return { [t]: v } as unknown as AttributeValue;
}
