// io/parallel-chunks.ts: the check of the main thread answers, read by read, exactly as the strict
// decoder of the sequential readers decodes (io/utf8.ts): the same first failing read for every way of
// cutting valid, cut and invalid UTF-8. The pieces cover the file, and their memory (and the outputs')
// is used again rather than made per piece; with worker threads it is shared memory, never
// transferred (test/e2e/worker-memory.test.ts checks that no thread detaches any).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { ChunkRunOptions, PostedPiece } from "../../../src/io/parallel-chunks.js";
import { CHUNK_BYTES, runChunks, strictUtf8Check } from "../../../src/io/parallel-chunks.js";
import { strictUtf8Decoder } from "../../../src/io/utf8.js";
import { random } from "../../helpers/random.js";

/** The index of the first read the check (or decoder) refuses, `reads.length` for the end, or -1. */
function firstFailure(reads: Uint8Array[], ok: (chunk: Uint8Array, last: boolean) => boolean): number {
  for (let i = 0; i < reads.length; i++) if (!ok(reads[i] as Uint8Array, false)) return i;
  return ok(new Uint8Array(0), true) ? -1 : reads.length;
}

const PIECES = [
  "a",
  '{"s":"x"}\n',
  "é",
  "€",
  "𝄞",
  "\ufeff",
  [0xff],
  [0xc0, 0x80], // overlong
  [0xed, 0xa0, 0x80], // a surrogate
  [0xe2, 0x82], // cut
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0x80],
];

test("the same verdicts as the strict decoder, read by read, however the bytes are cut", () => {
  const rnd = random(7);
  for (let round = 0; round < 3000; round++) {
    const parts: Buffer[] = [];
    const n = 1 + rnd(12);
    for (let i = 0; i < n; i++) {
      const p = PIECES[rnd(rnd(4) === 0 ? PIECES.length : 6)] as string | number[];
      parts.push(typeof p === "string" ? Buffer.from(p) : Buffer.from(p));
    }
    const bytes = Buffer.concat(parts);
    const reads: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; ) {
      const len = 1 + rnd(5);
      reads.push(bytes.subarray(at, at + len));
      at += len;
    }
    const decode = strictUtf8Decoder();
    const want = firstFailure(reads, (c, last) => decode(c, last) !== undefined);
    assert.equal(firstFailure(reads, strictUtf8Check()), want, `bytes ${bytes.toString("hex")}`);
  }
});

/** Runs `runChunks` on this thread over `text`, in a temporary file; the pieces and their memory. */
async function runInline(
  text: string,
  o: { giveBack: boolean; reuseOutput: boolean; room?: number; writtenLater?: boolean },
): Promise<{
  pieces: string[];
  inputs: ArrayBufferLike[];
  sinks: (ArrayBufferLike | undefined)[];
  outputs: ArrayBufferLike[];
}> {
  const dir = mkdtempSync(join(tmpdir(), "dynastream-chunks-"));
  const path = join(dir, "input.ndjson");
  writeFileSync(path, text);
  const pieces: string[] = [];
  const inputs: ArrayBufferLike[] = [];
  const sinks: (ArrayBufferLike | undefined)[] = [];
  const outputs: ArrayBufferLike[] = [];
  try {
    const end = await runChunks<{ out: Uint8Array; input?: ArrayBufferLike }>({
      path,
      threads: 0,
      inline: (p: PostedPiece) => {
        pieces.push(Buffer.from(p.bytes).toString("utf8"));
        inputs.push(p.bytes.buffer);
        sinks.push(p.sink);
        // An output of its own memory (or the sink's), 100 KiB, as a renderer's would be.
        const out = new Uint8Array(p.sink ?? new ArrayBuffer(100 * 1024), 0, 100 * 1024);
        return { out, ...(o.giveBack ? { input: p.bytes.buffer } : {}) };
      },
      workerData: undefined,
      signal: new AbortController().signal,
      maxLineBytes: 64 * 1024 * 1024,
      reuseOutput: o.reuseOutput,
      outputRoom: o.room === undefined ? undefined : () => o.room as number,
      write: async (bytes, written) => {
        assert.ok(bytes.buffer instanceof ArrayBuffer, "on this thread alone the memory is not shared");
        outputs.push(bytes.buffer);
        if (o.writtenLater) setTimeout(() => written?.(), 5);
        else written?.();
      },
      step: (r) => ({ output: r.out }),
    });
    assert.equal(end.kind, "eof");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { pieces, inputs, sinks, outputs };
}

/** `n` lines of about `size` bytes, numbered. */
function lines(n: number, size: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += `{"n":${i},"pad":"${"x".repeat(size)}"}\n`;
  return s;
}

test("pieces cover the file exactly, each ending at a newline, a line longer than a read included", async () => {
  const long = `{"long":"${"y".repeat(CHUNK_BYTES * 2 + 123)}"}\n`;
  const text = `${lines(3000, 700)}${long}${lines(2000, 300)}{"last":"no newline"}`;
  const { pieces } = await runInline(text, { giveBack: true, reuseOutput: true });
  assert.equal(pieces.join(""), text);
  assert.ok(pieces.length >= 4, `${pieces.length} pieces`);
  for (const p of pieces.slice(0, -1)) assert.ok(p.endsWith("\n"));
  assert.ok(
    pieces.some((p) => p.includes(long)),
    "the long line is whole in one piece",
  );
});

test("a piece's memory, given back, is used for a later piece; an output's, once written, becomes a later sink", async () => {
  const text = lines(12_000, 900); // ~11 MiB: a dozen pieces
  const room = 100 * 1024;
  const { pieces, inputs, sinks, outputs } = await runInline(text, {
    giveBack: true,
    reuseOutput: true,
    room,
  });
  assert.equal(pieces.join(""), text);
  assert.ok(pieces.length >= 10);
  // Pieces in flight are bounded (two here): a handful of memories serve every piece.
  assert.ok(new Set(inputs).size <= 4, `${new Set(inputs).size} memories for ${inputs.length} pieces`);
  assert.ok((sinks[0]?.byteLength ?? 0) >= room, "nothing written yet: new memory for the first piece");
  const later = sinks.slice(4);
  assert.ok(
    later.every((s) => s !== undefined && outputs.includes(s)),
    "every later piece writes into an earlier output's memory",
  );
});

test("without the memory given back, or with outputs not to be reused, every piece gets memory of its own", async () => {
  const text = lines(6000, 900);
  const { inputs, sinks } = await runInline(text, { giveBack: false, reuseOutput: false });
  assert.equal(new Set(inputs).size, inputs.length);
  assert.ok(sinks.every((s) => s === undefined));
});

test("outputs reused without outputRoom: pieces go without a sink (their text comes from ask)", async () => {
  const { sinks } = await runInline(lines(6000, 900), { giveBack: true, reuseOutput: true });
  assert.ok(sinks.length >= 5);
  assert.ok(sinks.every((s) => s === undefined));
});

test("an output's memory is not reused before the write says it is out", async () => {
  const text = lines(12_000, 900);
  const { sinks, outputs } = await runInline(text, {
    giveBack: true,
    reuseOutput: true,
    room: 100 * 1024,
    writtenLater: true,
  });
  // A sink is only ever memory whose write finished: never the output of the piece just before.
  for (let i = 1; i < sinks.length; i++)
    if (sinks[i] !== undefined) assert.notEqual(sinks[i], outputs[i - 1]);
});

test("with outputRoom every piece gets a sink that large: new memory at first, then earlier outputs' once written", async () => {
  const text = lines(12_000, 900);
  const room = 200 * 1024;
  const { pieces, sinks, outputs } = await runInline(text, { giveBack: true, reuseOutput: true, room });
  assert.equal(pieces.join(""), text);
  assert.ok(sinks.every((s) => s !== undefined && s.byteLength >= room));
  assert.ok(
    sinks.slice(4).every((s, i) => outputs.slice(0, i + 4).includes(s as ArrayBufferLike)),
    "every later piece writes into an earlier output's memory",
  );
});

/**
 * Runs `runChunks` over `text` (a temporary file) on two worker threads running `script`, with
 * outputs reused, and the given `write`, `step` and `outputRoom`.
 */
async function onThreads<Reply>(
  text: string,
  script: string,
  o: Pick<ChunkRunOptions<Reply>, "write" | "step" | "outputRoom">,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "dynastream-chunks-"));
  const path = join(dir, "input.ndjson");
  const workerFile = join(dir, "worker.cjs");
  writeFileSync(path, text);
  writeFileSync(workerFile, script);
  try {
    const end = await runChunks<Reply>({
      path,
      threads: 2,
      workerFile,
      workerData: undefined,
      signal: new AbortController().signal,
      maxLineBytes: 64 * 1024 * 1024,
      reuseOutput: true,
      ...o,
    });
    assert.equal(end.kind, "eof");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A worker thread's script for the test below: it answers each piece with the piece's text, whether
 * its memory and its sink are shared, what the sink held before (an earlier output's bytes when the
 * memory is used again), and an output written into the sink: the piece's number, repeated.
 */
const ECHO_WORKER = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", (m) => {
  const shared = m.bytes.buffer instanceof SharedArrayBuffer && m.sink instanceof SharedArrayBuffer;
  const sink = new Uint8Array(m.sink, 0, 64 * 1024);
  const before = sink[0];
  sink.fill(1 + (m.seq % 250));
  parentPort.postMessage({ seq: m.seq, shared, before, text: Buffer.from(m.bytes).toString("utf8"), out: sink, input: m.bytes.buffer });
});
`;

test("on worker threads the pieces and outputs are shared memory (nothing transferred, nothing detached), used again", async () => {
  const text = lines(12_000, 900);
  type Reply = { shared: boolean; before: number; text: string; out: Uint8Array };
  const replies: Reply[] = [];
  const written: Uint8Array[] = [];
  await onThreads<Reply>(text, ECHO_WORKER, {
    outputRoom: () => 64 * 1024,
    write: async (bytes, done) => {
      assert.ok(bytes.buffer instanceof SharedArrayBuffer);
      written.push(Buffer.from(bytes)); // a copy: the memory is used again once `done`
      done?.();
    },
    step: (r) => {
      replies.push(r);
      return { output: r.out };
    },
  });
  assert.equal(replies.map((r) => r.text).join(""), text);
  assert.ok(replies.length >= 10);
  assert.ok(
    replies.every((r) => r.shared),
    "every piece and sink came as shared memory",
  );
  // Outputs in file order, each whole and as its thread wrote it (never overwritten before its write).
  for (const [seq, w] of written.entries())
    assert.ok(
      w.every((b) => b === 1 + (seq % 250)),
      `output ${seq}`,
    );
  // From the fifth piece on (four in flight), each sink is an earlier output's memory, written already.
  assert.ok(
    replies.slice(4).every((r) => r.before !== 0),
    `later sinks are earlier outputs' memory: ${replies.map((r) => r.before).join(",")}`,
  );
});

/**
 * A worker thread's script for the test below, answering as filter-test's threads do: a piece gets
 * its count (and whether it came with a sink), and its text comes when asked, written into the sink
 * the question brings (or new shared memory), with what that sink held before.
 */
const ASK_WORKER = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", (m) => {
  if (m.ask === undefined) {
    parentPort.postMessage({ seq: m.seq, pieceSink: m.sink !== undefined, input: m.bytes.buffer });
    return;
  }
  const memory = m.sink !== undefined && m.sink.byteLength >= 64 * 1024 ? m.sink : new SharedArrayBuffer(64 * 1024);
  const bytes = new Uint8Array(memory, 0, 64 * 1024);
  const before = bytes[0];
  bytes.fill(1 + (m.seq % 250));
  parentPort.postMessage({ ask: m.ask, bytes, before });
});
`;

test("on worker threads, outputs that come from ask are written into earlier outputs' memory", async () => {
  const pieceSinks: boolean[] = [];
  const answers: { bytes: Uint8Array; before: number }[] = [];
  await onThreads<{ pieceSink: boolean }>(lines(12_000, 900), ASK_WORKER, {
    write: async (_bytes, done) => done?.(),
    step: (r, seq, ask) => {
      pieceSinks.push(r.pieceSink);
      const output = ask<{ bytes: Uint8Array; before: number }>(seq, {}).then((a) => {
        answers.push(a);
        return a.bytes;
      });
      return { output };
    },
  });
  assert.ok(answers.length >= 10);
  assert.ok(
    pieceSinks.every((s) => !s),
    "pieces whose text comes from ask take no memory meant for outputs",
  );
  const reused = answers.filter((a) => a.before !== 0).length;
  assert.ok(
    reused >= answers.length - 6,
    `${reused} of ${answers.length} answers in earlier outputs' memory`,
  );
});
