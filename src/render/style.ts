/**
 * Colour styling, injected into renderers so they never decide about colour themselves.
 * `plainStyle` is used whenever colour is off (not a TTY, NO_COLOR, --no-color, TERM=dumb, JSON output).
 */
export interface Style {
  readonly enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  magenta(s: string): string;
  cyan(s: string): string;
  gray(s: string): string;
}

const id = (s: string): string => s;

/** A style that adds nothing: for pipes, files, NO_COLOR and JSON output. */
export const plainStyle: Style = {
  enabled: false,
  bold: id,
  dim: id,
  red: id,
  green: id,
  yellow: id,
  blue: id,
  magenta: id,
  cyan: id,
  gray: id,
};

function sgr(open: number, close: number): (s: string) => string {
  return (s: string) => (s === "" ? s : `\u001b[${open}m${s}\u001b[${close}m`);
}

/**
 * ANSI style. Written by hand (a dozen SGR codes) rather than through chalk so the renderers stay
 * pure and chalk's global colour detection (which ignores NO_COLOR) never decides anything.
 */
export const ansiStyle: Style = {
  enabled: true,
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  blue: sgr(34, 39),
  magenta: sgr(35, 39),
  cyan: sgr(36, 39),
  gray: sgr(90, 39),
};

/**
 * Whether colour is wanted: only on a TTY, never with NO_COLOR (any non-empty value, per no-color.org),
 * TERM=dumb, --no-color or JSON output. FORCE_COLOR=1..3 forces it on (for screenshots and tests).
 */
export function colorWanted(opts: {
  isTTY: boolean;
  env: Record<string, string | undefined>;
  noColorFlag: boolean;
  json: boolean;
}): boolean {
  if (opts.json || opts.noColorFlag) return false;
  const { env } = opts;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  if (env.TERM === "dumb") return false;
  return opts.isTTY;
}
