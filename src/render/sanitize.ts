/**
 * Escapes terminal control characters in text that comes from outside (item data, error messages
 * from AWS), so that an item cannot clear the screen, set the window title or fake output lines.
 * C0 controls (except none: newline and tab are escaped too, values are printed on one line),
 * DEL and C1 controls become visible escapes such as `\x1b`, `\n`, `\u009b`.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** Returns `s` with every control character replaced by a visible escape. */
export function sanitize(s: string): string {
  CONTROL.lastIndex = 0;
  return CONTROL.test(s) ? s.replace(CONTROL, escapeChar) : s;
}
