// Preloaded with `node --import` by bench/lib.mjs when GNU time is not installed: at exit, writes this
// process's resource usage (CPU time, peak RSS) to the file named by DYNASTREAM_BENCH_RUSAGE.
import { writeFileSync } from "node:fs";

const file = process.env.DYNASTREAM_BENCH_RUSAGE;
if (file) {
  process.on("exit", () => {
    try {
      writeFileSync(file, JSON.stringify(process.resourceUsage()));
    } catch {
      // nothing to report to
    }
  });
}
