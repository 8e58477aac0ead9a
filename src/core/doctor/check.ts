/**
 * One line of `dynastream doctor`'s report, and the exit code of a run's lines. The facts behind the
 * lines: node.ts, credentials.ts, endpoints.ts (region too), permissions.ts, read by src/aws/doctor/.
 */

/** A check's outcome: ✓ ok, ! warn (works, but should be fixed), ✗ fail, - skipped (could not run). */
export type CheckStatus = "ok" | "warn" | "fail" | "skip";

/** One line of the report. */
export interface Check {
  /** Stable id for scripts: `node`, `credentials`, `region`, `endpoint`, `identity`, `dynamodb:DescribeTable`… */
  id: string;
  status: CheckStatus;
  /** What was found, one line. */
  summary: string;
  /** The fix, when the status is not ok. */
  fix?: string;
  /** Structured facts for `--json` (never a secret). */
  data?: Record<string, unknown>;
}

/** The exit code of a doctor run: 4 without usable credentials, 1 when any other check failed, else 0. */
export function doctorExitCode(checks: readonly Check[], credentialsMissing: boolean): 0 | 1 | 4 {
  if (credentialsMissing) return 4;
  return checks.some((c) => c.status === "fail") ? 1 : 0;
}
