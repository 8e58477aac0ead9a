// Shared checks of the reliability suite (test/reliability/*.test.ts): NDJSON parsing, the
// "every record exactly once, in order, parents first, gaps only where trimmed" verifier, stderr
// hygiene (no stack traces), temporary directories, and servers that never answer.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";

/** One line of `tail --json` output (the fields the verifier needs). */
export interface TailLine {
  type: string;
  shardId: string;
  sequenceNumber: string;
  afterSequenceNumber?: string | null;
  reason?: string;
}

/** Parses NDJSON; every non-empty line must be a JSON object. */
export function parseNdjson(stdout: string): TailLine[] {
  return stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l, i) => {
      let v: unknown;
      try {
        v = JSON.parse(l);
      } catch (e) {
        assert.fail(`stdout line ${i + 1} is not JSON (${(e as Error).message}): ${l.slice(0, 200)}`);
      }
      assert.ok(v !== null && typeof v === "object" && !Array.isArray(v), `line ${i + 1} is not an object`);
      return v as TailLine;
    });
}

/**
 * What a tail run must print: per shard the sequence numbers in order, the parent → child pairs
 * whose records must not interleave, and the gaps (shard, last record before the gap).
 */
export class Expected {
  readonly shards = new Map<string, string[]>();
  readonly lineage: Array<[parent: string, child: string]> = [];
  readonly gaps: Array<{ shardId: string; after: string | undefined }> = [];

  add(shardId: string, seqs: readonly string[]): this {
    const list = this.shards.get(shardId) ?? [];
    list.push(...seqs);
    this.shards.set(shardId, list);
    return this;
  }

  parent(parent: string, child: string): this {
    this.lineage.push([parent, child]);
    return this;
  }

  gap(shardId: string, after: string | undefined): this {
    this.gaps.push({ shardId, after });
    return this;
  }

  get total(): number {
    let n = 0;
    for (const l of this.shards.values()) n += l.length;
    return n;
  }
}

/**
 * Checks tail's NDJSON against `exp`: every expected record exactly once (by shard and sequence
 * number), nothing else, each shard's records in ascending sequence order, every record of a parent
 * before the first record of its child, and exactly the expected gap lines. Returns the number of
 * records checked.
 */
export function verifyTail(stdout: string, exp: Expected): number {
  const lines = parseNdjson(stdout);
  const seen = new Set<string>();
  const perShard = new Map<string, string[]>();
  const firstAt = new Map<string, number>();
  const lastAt = new Map<string, number>();
  const gaps: Array<{ shardId: string; after: string | undefined }> = [];
  lines.forEach((l, i) => {
    if (l.type === "gap") {
      assert.equal(l.reason, "trimmed", `gap line ${i + 1} reason`);
      gaps.push({ shardId: l.shardId, after: l.afterSequenceNumber ?? undefined });
      return;
    }
    assert.equal(l.type, "record", `line ${i + 1} type`);
    assert.ok(/^\d{1,40}$/.test(l.sequenceNumber), `line ${i + 1}: sequence number ${l.sequenceNumber}`);
    const key = `${l.shardId}/${l.sequenceNumber}`;
    assert.ok(!seen.has(key), `record ${key} printed twice (line ${i + 1})`);
    seen.add(key);
    const list = perShard.get(l.shardId) ?? [];
    const prev = list.at(-1);
    assert.ok(
      prev === undefined || BigInt(prev) < BigInt(l.sequenceNumber),
      `shard ${l.shardId}: ${l.sequenceNumber} after ${prev} (line ${i + 1}): out of order`,
    );
    list.push(l.sequenceNumber);
    perShard.set(l.shardId, list);
    if (!firstAt.has(l.shardId)) firstAt.set(l.shardId, i);
    lastAt.set(l.shardId, i);
  });
  for (const [shard, want] of exp.shards) {
    const got = perShard.get(shard) ?? [];
    if (got.length !== want.length || got.some((s, i) => s !== want[i])) {
      const missing = want.filter((s) => !got.includes(s));
      const extra = got.filter((s) => !want.includes(s));
      assert.fail(
        `shard ${shard}: ${got.length} records printed, ${want.length} expected; missing ${missing.length} ` +
          `(${missing.slice(0, 3).join(", ")}), unexpected ${extra.length} (${extra.slice(0, 3).join(", ")})`,
      );
    }
  }
  for (const shard of perShard.keys()) {
    assert.ok(exp.shards.has(shard), `records of unexpected shard ${shard}`);
  }
  for (const [parent, child] of exp.lineage) {
    const last = lastAt.get(parent);
    const first = firstAt.get(child);
    if (last === undefined || first === undefined) continue;
    assert.ok(
      last < first,
      `parent ${parent} (last line ${last + 1}) must precede child ${child} (first ${first + 1})`,
    );
  }
  const key = (g: { shardId: string; after: string | undefined }) => `${g.shardId}@${g.after ?? "-"}`;
  assert.deepEqual(gaps.map(key).sort(), exp.gaps.map(key).sort(), "gap lines");
  return seen.size;
}

/** A stack trace line (`    at fn (file.js:1:2)`) or a Node-style error dump. */
const STACK = /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$|node:internal|^\w*Error: .*\n\s+at /m;

/** stderr must not contain a stack trace. */
export function assertNoStackTrace(stderr: string, what = "stderr"): void {
  assert.doesNotMatch(stderr, STACK, `${what} has a stack trace:\n${stderr}`);
}

/** stdout of a failed command: empty, one JSON document, or only complete JSON lines. */
export function assertStdoutEmptyOrJson(stdout: string): void {
  if (stdout === "") return;
  try {
    JSON.parse(stdout);
    return;
  } catch {
    // not one document: NDJSON?
  }
  for (const l of stdout.split("\n")) {
    if (l === "") continue;
    assert.doesNotThrow(() => JSON.parse(l), `stdout line is not JSON: ${l.slice(0, 200)}`);
  }
}

/** A temporary directory removed when the test file ends. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `dynastream-${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A TCP server on 127.0.0.1 that accepts connections and never answers (a hung endpoint). */
export async function startSilentServer(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on("error", () => undefined);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A local port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `pred` every 50 ms until it holds; fails after `timeoutMs` (a bound, never an assertion on speed). */
export async function until(pred: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One request that went through a {@link startRecordingProxy}. */
export interface ProxiedRequest {
  method: string;
  path: string;
  /** `x-amz-target` (JSON protocols: `<Service>_<version>.<Operation>`), if any. */
  target: string | undefined;
}

/**
 * An HTTP proxy on 127.0.0.1 that forwards every request to `target` unchanged and records its
 * method, path and `x-amz-target`: what a command really asked AWS to do.
 */
export async function startRecordingProxy(
  target: string,
): Promise<{ endpoint: string; requests: ProxiedRequest[]; stop(): Promise<void> }> {
  const { createServer: createHttpServer, request } = await import("node:http");
  const to = new URL(target);
  const requests: ProxiedRequest[] = [];
  const server = createHttpServer((req, res) => {
    const t = req.headers["x-amz-target"];
    requests.push({
      method: req.method ?? "",
      path: req.url ?? "",
      target: typeof t === "string" ? t : undefined,
    });
    const up = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * An HTTP server on 127.0.0.1 that answers every request with 200 headers and the start of a JSON
 * body, then nothing more: a response that stalls mid-way.
 */
export async function startStallingServer(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const { createServer: createHttpServer } = await import("node:http");
  const server = createHttpServer((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "application/x-amz-json-1.0", "content-length": 4096 });
    res.write('{"Table":{"TableName":"');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
