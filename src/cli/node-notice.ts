/**
 * The one-time notice that the run's Node is past its end of life (the AWS SDK's own warning is
 * turned off: src/aws/clients.ts). Shown once per Node major line and cache folder, on a terminal's
 * stderr only, and recorded by an empty file `node-<major>-end-of-life-noticed` in the cache folder
 * (src/core/cache-folder.ts). Cost on a supported Node: a table lookup; past end of life: one
 * existsSync until the notice has been shown. DYNASTREAM_NO_NODE_NOTICE=1 turns it off.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheFolder } from "../core/cache-folder.js";
import { endOfLifeNotice, pastEndOfLife } from "../core/node-support.js";

/**
 * The notice's text when it is due (and records it as shown), else undefined. `version` and `now`
 * are the run's (injectable for tests). Without a cache folder the notice cannot be recorded: it is
 * then shown on each run (set DYNASTREAM_NO_NODE_NOTICE=1 to silence it).
 */
export function nodeNoticeDue(
  env: Record<string, string | undefined>,
  version: string,
  now: number,
): string | undefined {
  if (env.DYNASTREAM_NO_NODE_NOTICE) return undefined;
  const past = pastEndOfLife(version, new Date(now).toISOString().slice(0, 10));
  if (!past) return undefined;
  const dir = cacheFolder(env);
  if (dir) {
    const mark = join(dir, `node-${past.major}-end-of-life-noticed`);
    if (existsSync(mark)) return undefined;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(mark, "", { mode: 0o600 });
    } catch {
      // an unwritable cache folder: shown again next time, never an error
    }
  }
  return endOfLifeNotice(version, past.endOfLife);
}
