/**
 * The cache folder: $XDG_CACHE_HOME/dynastream or ~/.cache/dynastream (undefined without either), as
 * bin/dynastream.cjs finds it for its compiled code (the launcher is plain CommonJS and cannot share
 * this code). Shell completion keeps table names there, the Node end-of-life notice its marks.
 */
import { isAbsolute, join } from "node:path";

export function cacheFolder(env: Record<string, string | undefined>): string | undefined {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, "dynastream");
  const home = env.HOME;
  return home && isAbsolute(home) ? join(home, ".cache", "dynastream") : undefined;
}
