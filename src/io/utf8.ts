/**
 * Strict streaming UTF-8 decoding for the input readers (`tail --input`, `filter-test --records`).
 *
 * Same answers as `new TextDecoder("utf-8", { fatal: true })` fed chunk by chunk with `stream: true`
 * (a leading BOM dropped, any byte that is not UTF-8 an error, never U+FFFD), about 4× faster on
 * the usual all-ASCII chunk: `isAscii` + a Latin-1 copy instead of ICU's checked decoder. Other chunks
 * are validated with `isUtf8` and decoded by Node's UTF-8 decoder; a character cut off at the end of a
 * chunk is carried over to the next one.
 */
import { isAscii, isUtf8 } from "node:buffer";

/**
 * Node's methods behind `Buffer#toString` for one encoding (on `Buffer.prototype` in every Node
 * version, but not in its types): called directly, they skip `toString`'s argument handling, which
 * costs more than the copy for short strings.
 */
export interface SlicingBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/**
 * Decodes the next chunk: the text of its complete characters (with those carried over), or
 * `undefined` when the bytes are not UTF-8. `last` ends the stream: an unfinished character is then an
 * error too.
 */
export type StrictUtf8Decoder = (chunk: Uint8Array, last: boolean) => string | undefined;

/**
 * Length of `b` without a trailing UTF-8 sequence that is incomplete but could still be completed by
 * the next bytes (at most 3 bytes are cut). Anything else is left in, to be found invalid at once.
 */
export function completeUtf8Length(b: Uint8Array): number {
  const n = b.length;
  for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
    const c = b[i] as number;
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead byte
    const need = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (need === 0 || i + need <= n) return n; // not a lead byte, or its sequence is complete
    if (i + 1 < n) {
      // The second byte's range depends on the lead byte (no overlong forms, surrogates, > U+10FFFF).
      const d = b[i + 1] as number;
      const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
      const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
      if (d < lo || d > hi) return n;
    }
    return i;
  }
  return n;
}

/** A decoder for one stream (see {@link StrictUtf8Decoder}). */
export function strictUtf8Decoder(): StrictUtf8Decoder {
  let pending: Buffer | undefined;
  let first = true;
  return (chunk, last) => {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (pending !== undefined) {
      buf = Buffer.concat([pending, buf]);
      pending = undefined;
    }
    let text: string;
    if (isAscii(buf)) text = buf.toString("latin1");
    else {
      const end = last ? buf.length : completeUtf8Length(buf);
      if (!isUtf8(end === buf.length ? buf : buf.subarray(0, end))) return undefined;
      // Copied: the caller may reuse the chunk's memory.
      if (end < buf.length) pending = Buffer.from(buf.subarray(end));
      text = buf.toString("utf8", 0, end);
    }
    if (first && text.length > 0) {
      first = false;
      // As TextDecoder does (ignoreBOM false): a byte-order mark at the start is not text.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  };
}
