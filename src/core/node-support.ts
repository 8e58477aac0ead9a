/**
 * Node release lines: when each reaches its end of life, and the one-time notice that says a run's
 * Node is past it. Pure (no I/O): src/cli/node-notice.ts decides when to show it, `doctor`
 * (src/core/doctor/node.ts) reports it on every run. Kept apart from doctor's code because every command's
 * start-up loads it.
 */

/**
 * End of life of each Node major line (https://github.com/nodejs/Release, schedule.json). Odd lines
 * are never LTS and end about eight months after their release.
 */
export const NODE_END_OF_LIFE: Readonly<Record<number, string>> = {
  18: "2025-04-30",
  19: "2023-06-01",
  20: "2026-04-30",
  21: "2024-06-01",
  22: "2027-04-30",
  23: "2025-06-01",
  24: "2028-04-30",
  25: "2026-06-01",
  26: "2029-04-30",
};

/** The Node major of a version string (`v20.20.2`, `20.20.2`); NaN when unreadable. */
export function nodeMajor(version: string): number {
  return Number(/^v?(\d+)/.exec(version)?.[1] ?? Number.NaN);
}

/**
 * The oldest Node dynastream runs on: 20.3, the first with AbortSignal.any (the live reader ties a
 * run's signal to its own with it). package.json's engines says the same (test/unit/core/node-support.test.ts).
 */
export const NODE_MINIMUM = [20, 3] as const;

/** Whether `version` is at least {@link NODE_MINIMUM}. */
export function meetsNodeMinimum(version: string): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > NODE_MINIMUM[0] || (major === NODE_MINIMUM[0] && minor >= NODE_MINIMUM[1]);
}

/** The line and its end of life when `version` is past it on `todayIso` (YYYY-MM-DD), else undefined. */
export function pastEndOfLife(
  version: string,
  todayIso: string,
): { major: number; endOfLife: string } | undefined {
  const major = nodeMajor(version);
  const eol = NODE_END_OF_LIFE[major];
  return eol !== undefined && eol < todayIso ? { major, endOfLife: eol } : undefined;
}

/** The oldest Node major that AWS SDK for JavaScript releases after the first week of January 2027 run on. */
export const SDK_MIN_NODE = 22;

/** The notice's text (one line, without `note:`). */
export function endOfLifeNotice(version: string, endOfLife: string): string {
  const sdk =
    nodeMajor(version) < SDK_MIN_NODE
      ? `; AWS SDK for JavaScript releases after the first week of January 2027 need Node ${SDK_MIN_NODE} or newer`
      : "";
  return `Node ${version} is past its end of life (${endOfLife}), no more security fixes${sdk}. Install Node 24 or 22 (LTS). (Shown once; \`dynastream doctor\` checks it.)`;
}
