/**
 * A strict JSON parser for filter patterns that keeps source positions, detects duplicate keys
 * (keeping the last value, like `JSON.parse`) and reports syntax errors with line and column.
 * Syntax error texts follow Jackson's wording, which is what EventBridge returns as the reason.
 */

/** Position of a node in the source text. */
export interface SourcePos {
  offset: number;
  line: number;
  column: number;
}

export type JsonNode =
  | { kind: "object"; entries: JsonEntry[]; pos: SourcePos }
  | { kind: "array"; items: JsonNode[]; pos: SourcePos }
  | { kind: "string"; value: string; pos: SourcePos }
  | { kind: "number"; value: number; raw: string; pos: SourcePos }
  | { kind: "boolean"; value: boolean; pos: SourcePos }
  | { kind: "null"; pos: SourcePos };

export interface JsonEntry {
  key: string;
  keyPos: SourcePos;
  value: JsonNode;
}

/** A key that appeared more than once in one object; only the last value is kept. */
export interface DuplicateKey {
  key: string;
  /** Dotted path of the object holding the key (empty string for the top level). */
  parentPath: string;
  first: SourcePos;
  last: SourcePos;
  /** Whether the discarded value was an object (its conditions are then dropped entirely). */
  droppedObject: boolean;
}

export type ParseResult =
  | { ok: true; value: JsonNode; duplicates: DuplicateKey[] }
  | { ok: false; message: string; pos: SourcePos; duplicates: DuplicateKey[] };

class JsonSyntaxError {
  constructor(
    readonly message: string,
    readonly offset: number,
  ) {}
}

const MAX_DEPTH = 512;

/** Parse JSON text into a positioned tree. Never throws. */
export function parseJson(text: string): ParseResult {
  const p = new Parser(text);
  try {
    p.skipWs();
    if (p.i >= text.length) throw new JsonSyntaxError("Unexpected end-of-input: expected a JSON value", p.i);
    const value = p.value("", 0);
    p.skipWs();
    if (p.i < text.length) {
      throw new JsonSyntaxError(
        `Unexpected character (${describeChar(text, p.i)}): expected end of input after the JSON value`,
        p.i,
      );
    }
    return { ok: true, value, duplicates: p.duplicates };
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      return { ok: false, message: e.message, pos: p.posAt(e.offset), duplicates: p.duplicates };
    }
    throw e;
  }
}

/** Line/column (1-based) of an offset in `text`. */
export function positionOf(text: string, offset: number): SourcePos {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

function describeChar(text: string, i: number): string {
  const code = text.codePointAt(i) ?? 0;
  if (code < 32) return `CTRL-CHAR, code ${code}`;
  return `'${String.fromCodePoint(code)}' (code ${code})`;
}

const EXPECTED_VALUE = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

class Parser {
  i = 0;
  readonly duplicates: DuplicateKey[] = [];
  // Line bookkeeping so positions are O(1) amortised.
  private lineNo = 1;
  private lineStart = 0;
  private scannedTo = 0;

  constructor(private readonly text: string) {}

  posAt(offset: number): SourcePos {
    if (offset < this.scannedTo) return positionOf(this.text, offset);
    for (let k = this.scannedTo; k < offset && k < this.text.length; k++) {
      if (this.text.charCodeAt(k) === 10) {
        this.lineNo++;
        this.lineStart = k + 1;
      }
    }
    this.scannedTo = Math.max(this.scannedTo, offset);
    return { offset, line: this.lineNo, column: offset - this.lineStart + 1 };
  }

  skipWs(): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  value(path: string, depth: number): JsonNode {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError("Maximum nesting depth exceeded", this.i);
    const t = this.text;
    const start = this.i;
    const c = t.charCodeAt(start);
    if (c === 123) return this.object(path, depth);
    if (c === 91) return this.array(path, depth);
    if (c === 34) {
      const value = this.string();
      return { kind: "string", value, pos: this.posAt(start) };
    }
    if (c === 45 || (c >= 48 && c <= 57)) return this.number();
    if (t.startsWith("true", start) && !isTokenChar(t.charCodeAt(start + 4))) {
      this.i += 4;
      return { kind: "boolean", value: true, pos: this.posAt(start) };
    }
    if (t.startsWith("false", start) && !isTokenChar(t.charCodeAt(start + 5))) {
      this.i += 5;
      return { kind: "boolean", value: false, pos: this.posAt(start) };
    }
    if (t.startsWith("null", start) && !isTokenChar(t.charCodeAt(start + 4))) {
      this.i += 4;
      return { kind: "null", pos: this.posAt(start) };
    }
    if (isTokenChar(c)) {
      let j = start;
      while (j < t.length && isTokenChar(t.charCodeAt(j))) j++;
      throw new JsonSyntaxError(
        `Unrecognized token '${t.slice(start, j)}': was expecting ${EXPECTED_VALUE}`,
        start,
      );
    }
    if (start >= t.length) throw new JsonSyntaxError("Unexpected end-of-input: expected a JSON value", start);
    throw new JsonSyntaxError(
      `Unexpected character (${describeChar(t, start)}): expected a valid value ${EXPECTED_VALUE}`,
      start,
    );
  }

  object(path: string, depth: number): JsonNode {
    const t = this.text;
    const pos = this.posAt(this.i);
    const entries: JsonEntry[] = [];
    const seen = new Map<string, number>();
    if (this.emptyAfterOpen(125)) return { kind: "object", entries, pos };
    for (;;) {
      this.entryStart("Object");
      if (t.charCodeAt(this.i) !== 34) {
        throw new JsonSyntaxError(
          `Unexpected character (${describeChar(t, this.i)}): was expecting double-quote to start field name`,
          this.i,
        );
      }
      const keyPos = this.posAt(this.i);
      const key = this.string();
      this.skipWs();
      if (t.charCodeAt(this.i) !== 58) {
        if (this.i >= t.length) {
          throw new JsonSyntaxError("Unexpected end-of-input: expected close marker for Object", this.i);
        }
        throw new JsonSyntaxError(
          `Unexpected character (${describeChar(t, this.i)}): was expecting a colon to separate field name and value`,
          this.i,
        );
      }
      this.i++;
      this.skipWs();
      const childPath = path === "" ? key : `${path}.${key}`;
      const value = this.value(childPath, depth + 1);
      const prev = seen.get(key);
      if (prev !== undefined) {
        const old = entries[prev]!;
        this.duplicates.push({
          key,
          parentPath: path,
          first: old.keyPos,
          last: keyPos,
          droppedObject: old.value.kind === "object",
        });
        entries.splice(prev, 1);
        for (const [k, idx] of seen) if (idx > prev) seen.set(k, idx - 1);
      }
      seen.set(key, entries.length);
      entries.push({ key, keyPos, value });
      if (this.closes(125, "Object")) return { kind: "object", entries, pos };
    }
  }

  /** At an opening `{` or `[` (consumed here): true when `close` follows at once (consumed too). */
  emptyAfterOpen(close: number): boolean {
    this.i++;
    this.skipWs();
    if (this.text.charCodeAt(this.i) !== close) return false;
    this.i++;
    return true;
  }

  /** Before an entry of an object or array: white space skipped; the end of the text is an error. */
  entryStart(what: "Object" | "Array"): void {
    this.skipWs();
    if (this.i >= this.text.length) {
      throw new JsonSyntaxError(`Unexpected end-of-input: expected close marker for ${what}`, this.i);
    }
  }

  /**
   * After an entry of an object or array: true at its closing `close` character, false at a comma
   * (both consumed); anything else is a syntax error.
   */
  closes(close: number, what: "Object" | "Array"): boolean {
    this.skipWs();
    const t = this.text;
    const c = t.charCodeAt(this.i);
    if (c === 44 || c === close) {
      this.i++;
      return c === close;
    }
    if (this.i >= t.length) {
      throw new JsonSyntaxError(`Unexpected end-of-input: expected close marker for ${what}`, this.i);
    }
    throw new JsonSyntaxError(
      `Unexpected character (${describeChar(t, this.i)}): was expecting comma to separate ${what} entries`,
      this.i,
    );
  }

  array(path: string, depth: number): JsonNode {
    const pos = this.posAt(this.i);
    const items: JsonNode[] = [];
    if (this.emptyAfterOpen(93)) return { kind: "array", items, pos };
    for (;;) {
      this.entryStart("Array");
      items.push(this.value(path, depth + 1));
      if (this.closes(93, "Array")) return { kind: "array", items, pos };
    }
  }

  string(): string {
    const t = this.text;
    this.i++; // opening quote
    let out = "";
    let chunkStart = this.i;
    for (;;) {
      if (this.i >= t.length) {
        throw new JsonSyntaxError("Unexpected end-of-input in a String value", this.i);
      }
      const c = t.charCodeAt(this.i);
      if (c === 34) {
        out += t.slice(chunkStart, this.i);
        this.i++;
        return out;
      }
      if (c < 32) {
        throw new JsonSyntaxError(
          `Illegal unquoted character ((CTRL-CHAR, code ${c})): has to be escaped using backslash to be included in string value`,
          this.i,
        );
      }
      if (c !== 92) {
        this.i++;
        continue;
      }
      out += t.slice(chunkStart, this.i);
      const e = t.charCodeAt(this.i + 1);
      switch (e) {
        case 34:
          out += '"';
          break;
        case 92:
          out += "\\";
          break;
        case 47:
          out += "/";
          break;
        case 98:
          out += "\b";
          break;
        case 102:
          out += "\f";
          break;
        case 110:
          out += "\n";
          break;
        case 114:
          out += "\r";
          break;
        case 116:
          out += "\t";
          break;
        case 117: {
          const hex = t.slice(this.i + 2, this.i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            throw new JsonSyntaxError(
              "Unexpected character in a \\u escape: expected a hex-digit for character escape sequence",
              this.i + 2,
            );
          }
          out += String.fromCharCode(Number.parseInt(hex, 16));
          this.i += 4;
          break;
        }
        default:
          if (this.i + 1 >= t.length)
            throw new JsonSyntaxError("Unexpected end-of-input in a String value", this.i);
          throw new JsonSyntaxError(
            `Unrecognized character escape ${describeChar(t, this.i + 1)}`,
            this.i + 1,
          );
      }
      this.i += 2;
      chunkStart = this.i;
    }
  }

  number(): JsonNode {
    const t = this.text;
    const start = this.i;
    const pos = this.posAt(start);
    let j = start;
    if (t.charCodeAt(j) === 45) j++;
    const intStart = j;
    if (!isDigit(t.charCodeAt(j))) {
      throw new JsonSyntaxError(
        `Unexpected character (${j < t.length ? describeChar(t, j) : "end-of-input"}) in numeric value: expected digit`,
        j,
      );
    }
    while (isDigit(t.charCodeAt(j))) j++;
    if (t.charCodeAt(intStart) === 48 && j - intStart > 1) {
      throw new JsonSyntaxError("Invalid numeric value: Leading zeroes not allowed", intStart);
    }
    if (t.charCodeAt(j) === 46) {
      j++;
      if (!isDigit(t.charCodeAt(j))) {
        throw new JsonSyntaxError(
          `Unexpected character (${j < t.length ? describeChar(t, j) : "end-of-input"}) in numeric value: Decimal point not followed by a digit`,
          j,
        );
      }
      while (isDigit(t.charCodeAt(j))) j++;
    }
    const e = t.charCodeAt(j);
    if (e === 101 || e === 69) {
      j++;
      const s = t.charCodeAt(j);
      if (s === 43 || s === 45) j++;
      if (!isDigit(t.charCodeAt(j))) {
        throw new JsonSyntaxError(
          `Unexpected character (${j < t.length ? describeChar(t, j) : "end-of-input"}) in numeric value: Exponent indicator not followed by a digit`,
          j,
        );
      }
      while (isDigit(t.charCodeAt(j))) j++;
    }
    if (isTokenChar(t.charCodeAt(j))) {
      throw new JsonSyntaxError(
        `Unexpected character (${describeChar(t, j)}) in numeric value: expected digit, '.', 'e' or 'E'`,
        j,
      );
    }
    const raw = t.slice(start, j);
    this.i = j;
    return { kind: "number", value: Number(raw), raw, pos };
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Characters Jackson collects into an unrecognized token (Java identifier parts, roughly). */
function isTokenChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127
  );
}

/** Compact JSON text of a node (for messages). */
export function nodeToJson(node: JsonNode): string {
  switch (node.kind) {
    case "object":
      return `{${node.entries.map((e) => `${JSON.stringify(e.key)}:${nodeToJson(e.value)}`).join(",")}}`;
    case "array":
      return `[${node.items.map(nodeToJson).join(",")}]`;
    case "string":
      return JSON.stringify(node.value);
    case "number":
      return node.raw;
    case "boolean":
      return String(node.value);
    case "null":
      return "null";
  }
}
