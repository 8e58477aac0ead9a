/** doctor's Node line: which Node lines are supported, tested, past end of life. */

import {
  meetsNodeMinimum,
  NODE_END_OF_LIFE,
  NODE_MINIMUM,
  nodeMajor,
  SDK_MIN_NODE,
} from "../node-support.js";
import type { Check } from "./check.js";

/** The Node majors the test suite runs on (.ci/run; engines and the README agree: test/unit/core/node-support.test.ts). */
export const NODE_TESTED = [20, 22, 24, 26] as const;

/** The Node check: past end of life (or below what future SDK releases need) is a warning, never a failure. */
export function nodeCheck(version: string, todayIso: string): Check {
  const major = nodeMajor(version);
  const eol = NODE_END_OF_LIFE[major];
  const data = { version, endOfLife: eol ?? null, tested: NODE_TESTED.includes(major as never) };
  const upgrade = "install Node 24 (LTS) or 22 (LTS); dynastream is tested on 20, 22, 24 and 26";
  if (!meetsNodeMinimum(version)) {
    return {
      id: "node",
      status: "fail",
      summary: `Node ${version}: dynastream needs Node ${NODE_MINIMUM.join(".")} or newer`,
      fix: upgrade,
      data,
    };
  }
  if (eol !== undefined && eol < todayIso) {
    const sdk =
      major < SDK_MIN_NODE
        ? `; AWS SDK for JavaScript releases after the first week of January 2027 need Node ${SDK_MIN_NODE} or newer`
        : "";
    return {
      id: "node",
      status: "warn",
      summary: `Node ${version}: past its end of life (${eol}), no more security fixes${sdk}`,
      fix: upgrade,
      data,
    };
  }
  return {
    id: "node",
    status: "ok",
    summary: `Node ${version}${eol ? ` (supported until ${eol})` : ""}`,
    data,
  };
}
