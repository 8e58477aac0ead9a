/**
 * Table names for shell completion: ListTables with the --profile, --region and --endpoint-url typed
 * on the command line being completed, kept for a minute in the cache folder so that repeated Tabs
 * do not ask AWS again, and bounded to about a second: a completion that cannot reach AWS offers
 * nothing, silently.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheFolder } from "../core/cache-folder.js";
import { parseDuration } from "../core/duration.js";
import { createAwsClients } from "./clients.js";

/** How long a listing is reused. */
export const TABLES_CACHE_MS = 60_000;
/** How long a failed listing (AWS unreachable, no credentials) is remembered: Tab stays instant. */
export const TABLES_FAILURE_CACHE_MS = 15_000;
/**
 * The whole budget of one completion call, from the process's start (DYNASTREAM_COMPLETION_TIMEOUT
 * changes it): 900 ms leave room for what comes before Node's clock starts and for the exit, so a Tab
 * that cannot reach AWS returns within a second.
 */
export const TABLES_BUDGET_MS = 900;

/** The least time ListTables is given, however long the process took to start. */
export const TABLES_MIN_LISTING_MS = 250;

/**
 * The time left for ListTables: the budget (DYNASTREAM_COMPLETION_TIMEOUT, a duration for slow links
 * and slow CI machines, else one second) counts from the process's start, so that Tab waits about
 * that long in all, Node's start-up and the CLI's loading included; never less than
 * {@link TABLES_MIN_LISTING_MS}. `elapsedMs`: the time since the process started.
 */
export function listingBudgetMs(env: Record<string, string | undefined>, elapsedMs: number): number {
  const ms = env.DYNASTREAM_COMPLETION_TIMEOUT ? parseDuration(env.DYNASTREAM_COMPLETION_TIMEOUT) : undefined;
  const budget = ms !== undefined && ms > 0 ? ms : TABLES_BUDGET_MS;
  return Math.max(TABLES_MIN_LISTING_MS, Math.round(budget - elapsedMs));
}

export interface TablesRequest {
  profile: string | undefined;
  region: string | undefined;
  endpointUrl: string | undefined;
  env: Record<string, string | undefined>;
  now: number;
}

/** One cache file per account view: profile, region, endpoints and access key id (hashed, never stored). */
function cacheFile(req: TablesRequest): string | undefined {
  const dir = cacheFolder(req.env);
  if (!dir) return undefined;
  const e = req.env;
  const key = JSON.stringify([
    req.profile ?? e.AWS_PROFILE ?? "",
    req.region ?? e.AWS_REGION ?? e.AWS_DEFAULT_REGION ?? "",
    req.endpointUrl ?? "",
    e.AWS_ENDPOINT_URL ?? "",
    e.AWS_ENDPOINT_URL_DYNAMODB ?? "",
    e.AWS_ACCESS_KEY_ID ?? "",
  ]);
  return join(
    dir,
    "completion",
    `tables-${createHash("sha256").update(key).digest("hex").slice(0, 32)}.json`,
  );
}

interface CacheEntry {
  at: number;
  ok: boolean;
  tables: string[];
}

function readCache(file: string, now: number): CacheEntry | undefined {
  try {
    const c = JSON.parse(readFileSync(file, "utf8")) as CacheEntry;
    const ttl = c.ok ? TABLES_CACHE_MS : TABLES_FAILURE_CACHE_MS;
    return typeof c.at === "number" && now - c.at >= 0 && now - c.at < ttl && Array.isArray(c.tables)
      ? c
      : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(file: string, entry: CacheEntry): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(join(file, ".."), { recursive: true, mode: 0o700 });
    writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // no cache: the next Tab asks again
  }
}

/** ListTables, every page, within the budget; rejects on any failure or when the budget runs out. */
async function listTables(req: TablesRequest, signal: AbortSignal, budget: number): Promise<string[]> {
  const clients = createAwsClients({
    region: req.region ?? (req.env.AWS_REGION || req.env.AWS_DEFAULT_REGION || undefined),
    profile: req.profile,
    endpointUrl: req.endpointUrl,
    maxAttempts: 1,
    connectTimeoutMs: 500,
    requestTimeoutMs: budget,
  });
  try {
    const { ListTablesCommand } = await import("@aws-sdk/client-dynamodb");
    const ddb = await clients.dynamodb();
    const names: string[] = [];
    let start: string | undefined;
    do {
      const out = await ddb.send(new ListTablesCommand({ ExclusiveStartTableName: start, Limit: 100 }), {
        abortSignal: signal,
      });
      names.push(...(out.TableNames ?? []));
      start = out.LastEvaluatedTableName;
    } while (start && names.length < 1000);
    return names;
  } finally {
    clients.destroy();
  }
}

/**
 * The table names to offer: from the cache when it is younger than a minute, else from ListTables
 * within the budget (then cached). Never throws: no answer is an empty list.
 */
export async function completionTables(req: TablesRequest): Promise<string[]> {
  const file = cacheFile(req);
  const cached = file ? readCache(file, req.now) : undefined;
  if (cached) return cached.tables;
  // performance.now(): milliseconds since the process started.
  const ms = listingBudgetMs(req.env, performance.now());
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error("completion budget exceeded"));
    }, ms);
  });
  let entry: CacheEntry;
  try {
    const tables = await Promise.race([listTables(req, controller.signal, ms), budget]);
    entry = { at: req.now, ok: true, tables: tables.sort() };
  } catch {
    entry = { at: req.now, ok: false, tables: [] };
  } finally {
    clearTimeout(timer);
  }
  if (file) writeCache(file, entry);
  return entry.tables;
}
