/**
 * The program each handler process runs (`node -e`): Lambda's Node.js runtime in miniature. It loads
 * the handler module once (the cold start), then answers invocations one at a time over the IPC
 * channel, calling the handler as the Node.js runtime does:
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html
 * - an async handler (or one returning a promise): its resolved value is the response;
 * - `(event, context, callback)`: `callback(error, result)` answers;
 * - a synchronous handler that does not take a callback: its return value is ignored and the
 *   response is null (the Node.js runtime only reads promises and callbacks), which is reported.
 * The response is what `JSON.stringify` makes of the value (undefined → null), as Lambda returns it.
 * An uncaught exception or `process.exit` ends the process: the parent reports Runtime.ExitError.
 *
 * Messages: parent → `{type:"init",file,name}`, `{type:"invoke",id,event,context,deadline}`;
 * child → `{type:"log",stream,text}`, `{type:"ready",initMs}`, `{type:"init-error",errorType,errorMessage}`,
 * `{type:"result",id,response,ignoredReturn}`, `{type:"error",id,errorType,errorMessage,trace}`.
 */
export const BOOTSTRAP = String.raw`"use strict";
const { pathToFileURL } = require("node:url");
let handler;
const send = (m) => { try { process.send(m); } catch {} };
const errorOf = (e) => {
  const isErr = e !== null && typeof e === "object";
  return {
    type: "error",
    errorType: isErr && typeof e.name === "string" ? e.name : "Error",
    errorMessage: isErr && typeof e.message === "string" ? e.message : String(e),
    trace: isErr && typeof e.stack === "string" ? e.stack.split("\n") : [],
  };
};
// Output goes over the IPC channel, so that it arrives before the result it precedes (the pipes
// stay for what Node writes itself, such as the stack of an uncaught exception).
for (const stream of ["stdout", "stderr"]) {
  process[stream].write = (chunk, encoding, cb) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    send({ type: "log", stream, text });
    const done = typeof encoding === "function" ? encoding : cb;
    if (typeof done === "function") queueMicrotask(done);
    return true;
  };
}
const jsonOf = (v) => {
  if (v === undefined) return null;
  return JSON.parse(JSON.stringify(v) ?? "null");
};
// The parent went away (it is in another process group, so Ctrl-C reaches only the parent): end.
process.on("disconnect", () => process.exit(0));
process.on("message", async (m) => {
  if (m.type === "init") {
    const t0 = performance.now();
    try {
      const mod = await import(pathToFileURL(m.file).href);
      let fn = mod[m.name];
      if (fn === undefined && mod.default !== null && typeof mod.default === "object") fn = mod.default[m.name];
      if (typeof fn !== "function") {
        const names = Object.keys(mod).filter((k) => k !== "default" && typeof mod[k] === "function");
        send({ type: "init-error", errorType: "Runtime.HandlerNotFound",
          errorMessage: m.file + " does not export a function named " + m.name +
            (names.length > 0 ? " (its functions: " + names.join(", ") + ")" : "") });
        return;
      }
      handler = fn;
      send({ type: "ready", initMs: performance.now() - t0 });
    } catch (e) {
      const err = errorOf(e);
      send({ type: "init-error", errorType: "Runtime.ImportModuleError", errorMessage: err.errorType + ": " + err.errorMessage, trace: err.trace });
    }
    return;
  }
  if (m.type !== "invoke") return;
  const deadline = m.deadline;
  const context = Object.assign({}, m.context, {
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  });
  let settled = false;
  const finish = (msg) => {
    if (settled) return;
    settled = true;
    msg.id = m.id;
    send(msg);
  };
  const succeed = (v, ignoredReturn) => {
    try { finish({ type: "result", response: jsonOf(v), ignoredReturn }); }
    catch (e) { finish({ type: "error", errorType: "Runtime.MarshalError", errorMessage: "Unable to stringify response body: " + errorOf(e).errorMessage, trace: [] }); }
  };
  const callback = (err, result) => (err !== undefined && err !== null ? finish(errorOf(err)) : succeed(result, false));
  try {
    const r = handler(m.event, context, callback);
    if (r !== null && typeof r === "object" && typeof r.then === "function") {
      r.then((v) => succeed(v, false), (e) => finish(errorOf(e)));
    } else if (handler.length < 3) {
      succeed(null, r !== undefined);
    }
  } catch (e) {
    finish(errorOf(e));
  }
});
`;
