/**
 * Runs the built binary with a module-resolve hook that reports every `@aws-sdk/*` import on stderr
 * as `LOADED <specifier>`: proves which commands start without loading the AWS SDK.
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { BIN } from "./cli.js";

const HOOK = `
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.includes("@aws-sdk")) process.stderr.write("LOADED " + specifier + "\\\\n");
  return r;
}\`));
`;

/** Runs `dynastream ...args` under the hook; stderr carries the `LOADED` lines. */
export function runWithSdkProbe(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(
    process.execPath,
    ["--import", `data:text/javascript,${encodeURIComponent(HOOK)}`, BIN, ...args],
    {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", ...env },
    },
  );
}
