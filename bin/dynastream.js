#!/usr/bin/env node
// Tiny launcher: everything lives in the built CLI (dist/cli.js).
import { main } from "../dist/cli.js";

main(process.argv.slice(2));
