/**
 * The AWS shared config and credentials files (~/.aws/config, ~/.aws/credentials), pure: their INI
 * format parsed, and a profile's settings merged from both. src/aws/config-files.ts reads them.
 */

/** One section of an INI file: its keys, and its sub-sections (`dynamodb =` then indented keys). */
export interface IniSection {
  values: Record<string, string>;
  sub: Record<string, Record<string, string>>;
}

/**
 * Parses the AWS shared config or credentials file format
 * (https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html): `[section]` headers, `key = value`
 * lines, full-line comments with `#` or `;`, and indented sub-section keys under a key whose value is
 * empty (the `services` sections). Section names are kept as written (`profile dev`, `sso-session x`).
 */
export function parseIni(text: string): Map<string, IniSection> {
  const sections = new Map<string, IniSection>();
  let current: IniSection | undefined;
  let subKey: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, "");
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) continue;
    const header = /^\[\s*([^\]]+?)\s*\]/.exec(trimmed);
    if (header && !/^\s/.test(line)) {
      const name = (header[1] ?? "").replace(/\s+/g, " ");
      current = sections.get(name) ?? { values: {}, sub: {} };
      sections.set(name, current);
      subKey = undefined;
      continue;
    }
    if (!current) continue;
    const eq = trimmed.indexOf("=");
    if (eq <= 0) continue;
    const key = trimmed.slice(0, eq).trim().toLowerCase();
    const value = trimmed.slice(eq + 1).trim();
    if (/^\s/.test(line) && subKey !== undefined) {
      const sub = current.sub[subKey] ?? {};
      sub[key] = value;
      current.sub[subKey] = sub;
      continue;
    }
    if (value === "") {
      subKey = key;
      current.sub[key] ??= {};
    } else {
      subKey = undefined;
      current.values[key] = value;
    }
  }
  return sections;
}

/** The shared files as read: their paths, and their parsed text (undefined when absent or unreadable). */
export interface SharedFiles {
  configPath: string;
  credentialsPath: string;
  config: Map<string, IniSection> | undefined;
  credentials: Map<string, IniSection> | undefined;
}

/** A profile's settings merged from both files (the credentials file wins, as in the SDK), and where it was found. */
export interface ProfileSettings {
  name: string;
  values: Record<string, string>;
  /** The files that hold a section for it. */
  files: string[];
  /** The config file's `[services <name>]` section the profile names, if any. */
  services: Record<string, Record<string, string>> | undefined;
}

/** The profile `name` in the shared files, or undefined when neither file has it. */
export function findProfile(files: SharedFiles, name: string): ProfileSettings | undefined {
  const inConfig =
    files.config?.get(name === "default" ? "default" : `profile ${name}`) ??
    (name === "default" ? files.config?.get("profile default") : undefined);
  const inCredentials = files.credentials?.get(name);
  if (!inConfig && !inCredentials) return undefined;
  const values = { ...inConfig?.values, ...inCredentials?.values };
  const servicesName = values.services;
  return {
    name,
    values,
    files: [...(inConfig ? [files.configPath] : []), ...(inCredentials ? [files.credentialsPath] : [])],
    services: servicesName ? files.config?.get(`services ${servicesName}`)?.sub : undefined,
  };
}
