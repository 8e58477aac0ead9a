#!/usr/bin/env node
// Tiny launcher: everything lives in the built CLI (dist/cli.js), loaded only when needed.
import { readFileSync } from "node:fs";
import module from "node:module";

// Node ≥ 22.1 keeps compiled code on disk between runs (faster start-up); older Node has no such call.
module.enableCompileCache?.();

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  // The same line as the program's own --version, without loading the CLI to print a constant.
  let version = "0.0.0";
  try {
    version =
      JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version ?? version;
  } catch {
    // unreadable package.json: as the program does
  }
  process.stdout.write(`${version}\n`);
} else {
  const { main } = await import("../dist/cli.js");
  main(argv);
}
