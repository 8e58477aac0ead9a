/**
 * `<handler>` of `dynastream invoke`: a module path with an optional export name
 * (`./src/handler.mjs`, `./dist/index.js:process`), checked before any process starts, and how Node
 * runs it: JavaScript (ES module or CommonJS) as it is; TypeScript with Node's own type stripping
 * where Node has it (22.6+; by default from 23.6), else through `tsx` when the handler's project has
 * it installed. Anything else is a usage error (exit 2) that says how to fix it.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError } from "../errors.js";

/** A handler ready to be loaded in a process. */
export interface HandlerSpec {
  /** The handler as given (for messages). */
  text: string;
  /** Absolute path of the module. */
  file: string;
  /** The export to call (default `handler`). */
  exportName: string;
  /** Node options that make the module loadable (type stripping, tsx). */
  nodeArgs: string[];
  /** How TypeScript is run, when it is: `strip-types` or `tsx`. */
  typescript: "strip-types" | "tsx" | undefined;
}

const TS_EXT = new Set([".ts", ".mts", ".cts"]);
const JS_EXT = new Set([".js", ".mjs", ".cjs"]);

/** Node's version as [major, minor]. */
function nodeVersion(version: string): [number, number] {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return [Number(m?.[1] ?? 0), Number(m?.[2] ?? 0)];
}

/** The tsx loader of the nearest node_modules above `dir`, if installed. */
function findTsx(dir: string): string | undefined {
  let d = dir;
  for (;;) {
    const loader = join(d, "node_modules", "tsx", "dist", "loader.mjs");
    if (existsSync(loader)) return loader;
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

/** The running Node, as {@link parseHandlerSpec} needs it. */
export function currentNode(): { version: string; typescript: unknown } {
  return { version: process.version, typescript: (process.features as { typescript?: unknown }).typescript };
}

/** The directory handler paths are relative to, and handler processes start in. */
export function workingDirectory(): string {
  return process.cwd();
}

/** `AWS_EXECUTION_ENV` as Lambda's Node.js runtime of this Node's major version sets it. */
export function executionEnv(): string {
  return `AWS_Lambda_nodejs${process.versions.node.split(".")[0]}.x`;
}

/**
 * Parses and checks `<handler>`. `cwd` resolves relative paths; `node` is the running Node's
 * `{version, typescript}` (`process.features.typescript`).
 *
 * @throws UsageError for a missing file, an unknown extension, or TypeScript Node cannot run
 */
export function parseHandlerSpec(
  text: string,
  cwd: string = workingDirectory(),
  node: { version: string; typescript: unknown } = currentNode(),
): HandlerSpec {
  // `./file.mjs:name`: the last colon after the extension separates the export (not a drive letter).
  const m = /^(.*\.[cm]?[jt]s):([A-Za-z_$][\w$]*)$/.exec(text);
  const path = m ? (m[1] as string) : text;
  const exportName = m ? (m[2] as string) : "handler";
  const file = resolve(cwd, path);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new UsageError(
      `handler ${text}: no such file ${file}`,
      "give the path of the handler module, e.g. ./src/handler.mjs, or ./src/handler.mjs:myExport for another export than handler",
    );
  }
  const ext = extname(file);
  if (JS_EXT.has(ext)) return { text, file, exportName, nodeArgs: [], typescript: undefined };
  if (!TS_EXT.has(ext)) {
    throw new UsageError(
      `handler ${text}: expected a .js, .mjs, .cjs, .ts, .mts or .cts module, got ${ext || "no extension"}`,
    );
  }
  const [major, minor] = nodeVersion(node.version);
  if (node.typescript === "strip" || node.typescript === "transform") {
    return { text, file, exportName, nodeArgs: [], typescript: "strip-types" };
  }
  if (major > 22 || (major === 22 && minor >= 6)) {
    return { text, file, exportName, nodeArgs: ["--experimental-strip-types"], typescript: "strip-types" };
  }
  const tsx = findTsx(dirname(file));
  if (tsx !== undefined) {
    return { text, file, exportName, nodeArgs: ["--import", pathToFileURL(tsx).href], typescript: "tsx" };
  }
  throw new UsageError(
    `handler ${text}: Node ${node.version} cannot run TypeScript by itself, and tsx is not installed in the handler's project`,
    "install tsx in that project (npm install --save-dev tsx), use Node 22.6 or newer (type stripping), or give the compiled .js file",
  );
}
