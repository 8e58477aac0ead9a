// Real handler modules (test/fixtures/handlers) in real Node processes: the forms Lambda's Node.js
// runtime accepts, cold and warm starts, timeouts and crashes replacing the process, logs.
import { strict as assert } from "node:assert";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { UsageError } from "../../../src/errors.js";
import type { InvokeContext } from "../../../src/runtime/handler-process.js";
import { HandlerEnvironment } from "../../../src/runtime/handler-process.js";
import { parseHandlerSpec } from "../../../src/runtime/handler-spec.js";
import { lambdaRecord } from "../../helpers/records.js";

const DIR = resolve(import.meta.dirname, "../../fixtures/handlers");
const NODE = {
  version: process.version,
  typescript: (process.features as { typescript?: unknown }).typescript,
};

function context(id: string): InvokeContext {
  return {
    awsRequestId: id,
    functionName: "orders",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:orders",
    memoryLimitInMB: "128",
    logGroupName: "/aws/lambda/orders",
    logStreamName: "local",
  };
}

function event(...actions: string[]) {
  return {
    Records: actions.map((action, i) =>
      lambdaRecord(
        { eventID: `ev-${i}` },
        {
          SequenceNumber: String(100 + i),
          NewImage: { pk: { S: `K${i}` }, action: { S: action } },
          Keys: { pk: { S: `K${i}` } },
        },
      ),
    ),
  };
}

const envs: HandlerEnvironment[] = [];
function environment(handler: string, logs: string[] = [], extraEnv: Record<string, string> = {}) {
  const spec = parseHandlerSpec(handler, DIR, NODE);
  const env = new HandlerEnvironment({
    spec,
    env: { PATH: process.env.PATH ?? "", TZ: ":UTC", ...extraEnv },
    cwd: DIR,
    log: (label, stream, line) => logs.push(`${label} ${stream} ${line}`),
  });
  envs.push(env);
  return env;
}
after(() => {
  for (const e of envs) e.close();
});

describe("handler environment", () => {
  it("ES module, async: a cold start, then warm reuse of the same process; logs carry the invocation", async () => {
    const logs: string[] = [];
    const env = environment("./actions.mjs", logs, { GREETING: "hi", AWS_REGION: "eu-west-1" });
    const a = await env.invoke(event("ok", "fail-seq"), context("r1"), 5000, "#1");
    assert.equal(a.cold, true);
    assert.ok(a.initMs !== undefined);
    assert.deepEqual(a.outcome, {
      kind: "returned",
      response: { batchItemFailures: [{ itemIdentifier: "101" }] },
      requestId: "r1",
    });
    const b = await env.invoke(event("env"), context("r2"), 5000, "#2");
    assert.equal(b.cold, false);
    assert.equal(env.starts, 1);
    assert.ok(
      logs.some((l) =>
        /^#1 stdout batch of 2, invocation 1 of this process, orders, has request id, time left$/.test(l),
      ),
      logs.join("\n"),
    );
    assert.ok(
      logs.includes("#2 stdout batch of 1, invocation 2 of this process, orders, has request id, time left"),
    );
    assert.ok(logs.includes("#2 stdout env hi eu-west-1 :UTC"), logs.join("\n"));
  });

  it("CommonJS with (event, context, callback)", async () => {
    const logs: string[] = [];
    const r = await environment("./callback.cjs", logs).invoke(event("ok"), context("r"), 5000, "#1");
    assert.deepEqual(r.outcome, { kind: "returned", response: { batchItemFailures: [] }, requestId: "r" });
    assert.ok(logs.includes("#1 stderr callback handler got 1 records"));
  });

  it("a named export: ./file.mjs:name", async () => {
    const logs: string[] = [];
    const r = await environment("./named.mjs:processOrders", logs).invoke(
      event("ok"),
      context("r"),
      5000,
      "#1",
    );
    assert.deepEqual(r.outcome, { kind: "returned", response: null, requestId: "r" });
    assert.ok(logs.includes("#1 stdout processOrders: MODIFY"));
  });

  it("TypeScript (type stripping, or the project's tsx)", async () => {
    const logs: string[] = [];
    const r = await environment("./typed.ts", logs).invoke(event("ok"), context("r"), 10_000, "#1");
    assert.equal(r.outcome.kind, "returned", JSON.stringify(r.outcome));
    assert.ok(logs.includes("#1 stdout typed handler: MODIFY"), logs.join("\n"));
  });

  it("a thrown error is a function error with its type and message; the process stays", async () => {
    const env = environment("./actions.mjs");
    const r = await env.invoke(event("throw"), context("r"), 5000, "#1");
    assert.deepEqual(r.outcome, {
      kind: "error",
      errorType: "TypeError",
      errorMessage: "cannot process K0",
      requestId: "r",
    });
    assert.equal((await env.invoke(event("ok"), context("r2"), 5000, "#2")).cold, false);
  });

  it("a timeout kills the process: the next invocation is cold", async () => {
    const env = environment("./actions.mjs");
    const r = await env.invoke(event("sleep"), context("r"), 300, "#1");
    assert.deepEqual(r.outcome, { kind: "timeout", requestId: "r" });
    const next = await env.invoke(event("ok"), context("r2"), 5000, "#2");
    assert.equal(next.cold, true);
    assert.equal(next.outcome.kind, "returned");
  });

  it("process.exit is Runtime.ExitError and replaces the process", async () => {
    const env = environment("./actions.mjs");
    const r = await env.invoke(event("exit"), context("r"), 5000, "#1");
    assert.equal(r.outcome.kind, "error");
    assert.ok(r.outcome.kind === "error");
    assert.equal(r.outcome.errorType, "Runtime.ExitError");
    assert.match(r.outcome.errorMessage, /Runtime exited with error: exit status 3/);
    assert.equal((await env.invoke(event("ok"), context("r2"), 5000, "#2")).cold, true);
  });

  it("a synchronous handler's return value is ignored (null), and flagged", async () => {
    const r = await environment("./sync-return.mjs").invoke(event("ok"), context("r"), 5000, "#1");
    assert.deepEqual(r.outcome, { kind: "returned", response: null, requestId: "r" });
    assert.equal(r.ignoredReturn, true);
  });

  it("a module that fails to load, or lacks the export: init errors", async () => {
    const broken = await environment("./broken.mjs").invoke(event("ok"), context("r"), 5000, "#1");
    assert.equal(broken.initError?.errorType, "Runtime.ImportModuleError");
    assert.match(broken.initError?.errorMessage ?? "", /missing configuration/);
    const missing = await environment("./named.mjs").invoke(event("ok"), context("r"), 5000, "#1");
    assert.equal(missing.initError?.errorType, "Runtime.HandlerNotFound");
    assert.match(
      missing.initError?.errorMessage ?? "",
      /does not export a function named handler \(its functions: processOrders\)/,
    );
  });
});

describe("parseHandlerSpec", () => {
  it("a missing file is a usage error", () => {
    assert.throws(() => parseHandlerSpec("./nope.mjs", DIR, NODE), UsageError);
  });

  it("TypeScript where Node has no type stripping and no tsx is installed: exit 2 with the fix", () => {
    const dir = mkdtempSync(join(tmpdir(), "dynastream-ts-"));
    try {
      copyFileSync(join(DIR, "typed.ts"), join(dir, "typed.ts"));
      assert.throws(
        () => parseHandlerSpec("typed.ts", dir, { version: "v20.11.0", typescript: undefined }),
        (e: unknown) => e instanceof UsageError && /install tsx/.test(e.hint ?? ""),
      );
      assert.deepEqual(
        parseHandlerSpec("typed.ts", dir, { version: "v22.6.0", typescript: undefined }).nodeArgs,
        ["--experimental-strip-types"],
      );
      assert.deepEqual(
        parseHandlerSpec("typed.ts", dir, { version: "v23.6.0", typescript: "strip" }).nodeArgs,
        [],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("./file.mjs:name names the export", () => {
    const s = parseHandlerSpec("./named.mjs:processOrders", DIR, NODE);
    assert.equal(s.exportName, "processOrders");
    assert.equal(s.file, join(DIR, "named.mjs"));
  });
});
