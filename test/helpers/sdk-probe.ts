/**
 * Runs the built binary with a probe that reports every load of an `@aws-sdk/*` module on stderr as
 * `LOADED <specifier>`: proves which commands start without loading the AWS SDK. The bundle loads the
 * SDK with require() (the CommonJS loader, Module._load); an ES module import would go through the
 * resolve hook: the probe watches both.
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { BIN, CODE_CACHE_HOME } from "./cli.js";

const HOOK = `
import Module, { register } from "node:module";
import { writeSync } from "node:fs";
const report = (specifier) => {
  if (String(specifier).includes("@aws-sdk")) writeSync(2, "LOADED " + specifier + "\\n");
};
const load = Module._load;
Module._load = function (request, ...rest) {
  report(request);
  return load.call(this, request, ...rest);
};
register("data:text/javascript," + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.includes("@aws-sdk")) process.stderr.write("LOADED " + specifier + "\\\\n");
  return r;
}\`));
`;

/** Runs `dynastream ...args` under the probe; stderr carries the `LOADED` lines. */
export function runWithSdkProbe(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(
    process.execPath,
    ["--import", `data:text/javascript,${encodeURIComponent(HOOK)}`, BIN, ...args],
    {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", XDG_CACHE_HOME: CODE_CACHE_HOME, ...env },
    },
  );
}
