/** The output of `dynastream doctor`: one line per check (✓ ok, ! warn, ✗ fail, - skipped), the fix under it. */
import type { Check, CheckStatus } from "../core/doctor/check.js";
import { sanitize } from "./sanitize.js";
import type { Style } from "./style.js";

/** JSON shape of `doctor` (documented in the README). */
export interface DoctorJson {
  ok: boolean;
  exitCode: number;
  checks: Check[];
}

const MARK: Record<CheckStatus, string> = { ok: "✓", warn: "!", fail: "✗", skip: "-" };

/** The lines of the pretty report (each without its newline), and a closing summary line. */
export function renderDoctor(checks: readonly Check[], s: Style): string[] {
  const colour = (status: CheckStatus, text: string): string =>
    status === "ok"
      ? s.green(text)
      : status === "warn"
        ? s.yellow(text)
        : status === "fail"
          ? s.red(text)
          : s.dim(text);
  const width = Math.max(...checks.map((c) => label(c).length));
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${colour(c.status, MARK[c.status])} ${label(c).padEnd(width)}  ${sanitize(c.summary)}`);
    if (c.fix) lines.push(`  ${" ".repeat(width)}  ${s.bold("fix:")} ${sanitize(c.fix)}`);
  }
  const count = (st: CheckStatus): number => checks.filter((c) => c.status === st).length;
  const failed = count("fail");
  const warned = count("warn");
  lines.push("");
  lines.push(
    failed > 0
      ? s.red(
          `${failed} check${failed === 1 ? "" : "s"} failed${warned ? `, ${warned} warning${warned === 1 ? "" : "s"}` : ""}`,
        )
      : warned > 0
        ? s.yellow(`all checks passed, ${warned} warning${warned === 1 ? "" : "s"}`)
        : s.green("all checks passed"),
  );
  return lines;
}

/** The label column: the check's id (a permission probe's id is its IAM action). */
function label(c: Check): string {
  return c.id;
}
