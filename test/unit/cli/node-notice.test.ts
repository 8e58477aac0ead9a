// The one-time Node end-of-life notice (src/cli/node-notice.ts): its version and clock injected, its
// mark written to a real temporary cache folder.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { nodeNoticeDue } from "../../../src/cli/node-notice.js";
import { endOfLifeNotice, pastEndOfLife } from "../../../src/core/node-support.js";

const dir = mkdtempSync(join(tmpdir(), "dynastream-node-notice-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const NOW = Date.parse("2026-12-07T12:00:00Z");

test("past end of life: shown once per Node major and cache folder, then never again", () => {
  const env = { XDG_CACHE_HOME: join(dir, "a") };
  const first = nodeNoticeDue(env, "v20.20.2", NOW);
  assert.equal(
    first,
    "Node v20.20.2 is past its end of life (2026-04-30), no more security fixes; AWS SDK for JavaScript releases after the first week of January 2027 need Node 22 or newer. Install Node 24 or 22 (LTS). (Shown once; `dynastream doctor` checks it.)",
  );
  assert.ok(existsSync(join(dir, "a", "dynastream", "node-20-end-of-life-noticed")));
  assert.equal(nodeNoticeDue(env, "v20.20.2", NOW), undefined);
  assert.equal(nodeNoticeDue(env, "v20.21.0", NOW), undefined); // same line
  // Another line past its end of life (25, odd, ended 2026-06-01) is its own notice, without the SDK part.
  assert.match(
    nodeNoticeDue(env, "v25.1.0", NOW) ?? "",
    /^Node v25\.1\.0 is past its end of life \(2026-06-01\), no more security fixes\. Install/,
  );
  assert.equal(nodeNoticeDue(env, "v25.1.0", NOW), undefined);
  // Another cache folder has not seen it.
  assert.ok(nodeNoticeDue({ XDG_CACHE_HOME: join(dir, "b") }, "v20.20.2", NOW));
});

test("a supported Node: no notice and nothing written", () => {
  const env = { XDG_CACHE_HOME: join(dir, "c") };
  for (const v of ["v22.12.0", "v24.1.0", "v26.0.0", "v30.0.0"])
    assert.equal(nodeNoticeDue(env, v, NOW), undefined);
  // Node 20 before its end of life.
  assert.equal(nodeNoticeDue(env, "v20.20.2", Date.parse("2026-04-01T00:00:00Z")), undefined);
  assert.equal(existsSync(join(dir, "c")), false);
});

test("DYNASTREAM_NO_NODE_NOTICE turns it off (nothing recorded); without a cache folder it shows each time", () => {
  const env = { XDG_CACHE_HOME: join(dir, "d"), DYNASTREAM_NO_NODE_NOTICE: "1" };
  assert.equal(nodeNoticeDue(env, "v20.20.2", NOW), undefined);
  assert.equal(existsSync(join(dir, "d")), false);
  assert.ok(
    nodeNoticeDue({ XDG_CACHE_HOME: join(dir, "d"), DYNASTREAM_NO_NODE_NOTICE: "" }, "v20.20.2", NOW),
  );
  assert.deepEqual(readdirSync(join(dir, "d", "dynastream")), ["node-20-end-of-life-noticed"]);
  assert.ok(nodeNoticeDue({}, "v20.20.2", NOW));
  assert.ok(nodeNoticeDue({}, "v20.20.2", NOW));
});

test("pastEndOfLife and the notice text", () => {
  assert.deepEqual(pastEndOfLife("v20.20.2", "2026-12-07"), { major: 20, endOfLife: "2026-04-30" });
  assert.equal(pastEndOfLife("v20.20.2", "2026-04-30"), undefined); // the last day is still supported
  assert.equal(pastEndOfLife("garbage", "2026-12-07"), undefined);
  assert.doesNotMatch(endOfLifeNotice("v23.0.0", "2025-06-01"), /AWS SDK/);
});
