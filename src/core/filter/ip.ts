/**
 * IPv4/IPv6 parsing and CIDR ranges, following aws/event-ruler's `CIDR` class: an address is
 * compared as the hex string of its bytes; a CIDR `a.b.c.d/n` covers `a.b.c.d` (as written, host
 * bits included) up to the address with all host bits set.
 */

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

/** Whether the string has the shape event-ruler treats as an IP literal. */
export function looksLikeIp(s: string): boolean {
  return IPV4_SHAPE.test(s) || IPV6_SHAPE.test(s);
}

/** Bytes of an IP literal as upper-case hex (8 chars for IPv4, 32 for IPv6), or undefined. */
export function ipToHex(s: string): string | undefined {
  if (IPV4_SHAPE.test(s)) return ipv4Hex(s);
  if (IPV6_SHAPE.test(s)) return ipv6Hex(s);
  return undefined;
}

function ipv4Hex(s: string): string | undefined {
  const parts = s.split(".");
  let out = "";
  for (const p of parts) {
    if (p.length > 3) return undefined;
    const n = Number(p);
    if (!Number.isInteger(n) || n > 255) return undefined;
    out += hex2(n);
  }
  return out;
}

function ipv6Hex(s: string): string | undefined {
  const dbl = s.indexOf("::");
  if (dbl !== -1 && s.indexOf("::", dbl + 1) !== -1) return undefined;
  let groups: string[];
  if (dbl === -1) {
    groups = s.split(":");
    if (groups.length !== 8) return undefined;
  } else {
    const head = s.slice(0, dbl);
    const tail = s.slice(dbl + 2);
    const h = head === "" ? [] : head.split(":");
    const t = tail === "" ? [] : tail.split(":");
    if (h.length + t.length > 7) return undefined;
    groups = [...h, ...new Array<string>(8 - h.length - t.length).fill("0"), ...t];
  }
  let out = "";
  for (const g of groups) {
    if (g.length === 0 || g.length > 4 || !/^[0-9a-fA-F]+$/.test(g)) return undefined;
    out += g.toUpperCase().padStart(4, "0");
  }
  return out;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, "0");
}

/** A parsed CIDR range, or the event-ruler error message explaining why it is invalid. */
export type CidrResult =
  | { ok: true; family: 4 | 6; lo: string; hi: string; hostBitsSet: boolean }
  | { ok: false; message: string };

/** Parse `addr/bits` the way event-ruler's `CIDR.cidr` does (same error texts). */
export function parseCidr(text: string): CidrResult {
  const slashed = text.split("/");
  // Java's String.split drops trailing empty strings.
  while (slashed.length > 1 && slashed[slashed.length - 1] === "") slashed.pop();
  if (slashed.length !== 2) return { ok: false, message: "Malformed CIDR, one '/' required" };
  const addr = slashed[0]!;
  const bitsText = slashed[1]!;
  if (!/^[+-]?[0-9]+$/.test(bitsText) || Math.abs(Number(bitsText)) > 2147483647) {
    return { ok: false, message: "Malformed CIDR, mask bits must be an integer" };
  }
  const bits = Number(bitsText);
  if (bits < 0) return { ok: false, message: "Malformed CIDR, mask bits must not be negative" };
  let hex: string | undefined;
  if (looksLikeIp(addr)) {
    hex = ipToHex(addr);
    if (hex === undefined) return { ok: false, message: `Invalid IP address: ${addr}` };
  } else {
    return { ok: false, message: `Nonstandard IP address: ${addr}` };
  }
  const family: 4 | 6 = hex.length === 8 ? 4 : 6;
  if (family === 4 && bits > 31) return { ok: false, message: "IPv4 mask bits must be < 32" };
  if (family === 6 && bits > 127) return { ok: false, message: "IPv6 mask bits must be < 128" };
  const totalBits = family === 4 ? 32 : 128;
  const bytes = hexToBytes(hex);
  const top = bytes.slice();
  let hostBits = totalBits - bits;
  let hostBitsSet = false;
  for (let i = top.length - 1; i >= 0; i--) {
    const b = bytes[i]!;
    if (hostBits >= 8) {
      if (b !== 0) hostBitsSet = true;
      top[i] = 0xff;
    } else if (hostBits > 0) {
      const mask = (1 << hostBits) - 1;
      if ((b & mask) !== 0) hostBitsSet = true;
      top[i] = b | mask;
    }
    hostBits -= 8;
  }
  return { ok: true, family, lo: hex, hi: bytesToHex(top), hostBitsSet };
}

function hexToBytes(hex: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < hex.length; i += 2) out.push(Number.parseInt(hex.slice(i, i + 2), 16));
  return out;
}

function bytesToHex(bytes: number[]): string {
  return bytes.map(hex2).join("");
}

/** Whether an event string is an IP address inside [lo, hi] of the given family. */
export function ipInRange(value: string, family: 4 | 6, lo: string, hi: string): boolean {
  const hex = ipToHex(value);
  if (hex === undefined || hex.length !== (family === 4 ? 8 : 32)) return false;
  return hex >= lo && hex <= hi;
}
