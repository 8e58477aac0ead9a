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

let ansi: Style | undefined;

/**
 * The ANSI style (16 colours), made with chalk at an explicit level so that chalk's own colour
 * detection (which ignores NO_COLOR) never decides. Loaded only when colour is wanted, so that
 * piped and JSON runs don't pay for loading it.
 */
export async function loadAnsiStyle(): Promise<Style> {
  if (ansi) return ansi;
  const { Chalk } = await import("chalk");
  const chalk = new Chalk({ level: 1 });
  ansi = {
    enabled: true,
    bold: (s) => chalk.bold(s),
    dim: (s) => chalk.dim(s),
    red: (s) => chalk.red(s),
    green: (s) => chalk.green(s),
    yellow: (s) => chalk.yellow(s),
    blue: (s) => chalk.blue(s),
    magenta: (s) => chalk.magenta(s),
    cyan: (s) => chalk.cyan(s),
    gray: (s) => chalk.gray(s),
  };
  return ansi;
}

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
