/**
 * `invoke --env-file <file>`: `KEY=VALUE` lines as dotenv writes them (`#` comments, blank lines, an
 * optional `export `, values in single or double quotes; `\n` in double quotes is a newline).
 */
import { UsageError } from "../errors.js";
import { readTextFile } from "./json-input.js";

/** Parses the text of an env file; `label` names it in errors (`--env-file .env`). */
export function parseEnvFile(text: string, label: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) {
      throw new UsageError(
        `${label} line ${i + 1}: expected KEY=VALUE`,
        "one KEY=VALUE per line; # starts a comment",
      );
    }
    let value = m[2] as string;
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\n/g, "\n").replace(/\\"/g, '"');
    } else {
      value = value.replace(/\s+#.*$/, "");
    }
    out.push([m[1] as string, value]);
  }
  return out;
}

/** Reads and parses an env file. */
export async function readEnvFile(path: string): Promise<Array<[string, string]>> {
  return parseEnvFile(await readTextFile(path, `--env-file ${path}`), `--env-file ${path}`);
}
