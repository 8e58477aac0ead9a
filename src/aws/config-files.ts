/**
 * The AWS shared config and credentials files, read where the SDK looks for them: the clients read
 * them for a profile's endpoints (clients.ts), doctor for its report. Their format is
 * src/core/aws-config/shared-files.ts.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Env } from "../core/aws-config/env.js";
import { parseIni, type SharedFiles } from "../core/aws-config/shared-files.js";

/** The home folder as the SDK finds it (HOME first). */
export function homeOf(env: Env): string {
  return env.HOME || env.USERPROFILE || homedir();
}

function readIni(path: string): ReturnType<typeof parseIni> | undefined {
  try {
    return parseIni(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

/** The shared config and credentials files, where the SDK looks for them (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE). */
export function readSharedFiles(env: Env): SharedFiles {
  const configPath = env.AWS_CONFIG_FILE || join(homeOf(env), ".aws", "config");
  const credentialsPath = env.AWS_SHARED_CREDENTIALS_FILE || join(homeOf(env), ".aws", "credentials");
  return { configPath, credentialsPath, config: readIni(configPath), credentials: readIni(credentialsPath) };
}
