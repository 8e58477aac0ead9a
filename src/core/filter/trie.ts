/**
 * The path tree of one expanded rule: the fields it tests, nested as in the event, with the dotted
 * aliases under each node (an event key `"a.b"` is the same field as `{"a":{"b":…}}`).
 */
import type { ExpandedRule, LeafSpec } from "./types.js";

/** A node of one rule's path tree. */
export interface TrieNode {
  fields: TrieField[];
  /** Dot-joined keys (two or more segments) reachable from this node, e.g. `NewImage.status`. */
  aliases: string[];
}

/** One field of a trie node: a leaf rule list, a sub-tree, or (rarely) both. */
export interface TrieField {
  key: string;
  /** Dotted path from the pattern root. */
  path: string;
  leaf?: LeafSpec;
  node?: TrieNode;
}

/** Build the path tree of one expanded rule (fields in document order). */
export function buildTrie(rule: ExpandedRule): TrieNode {
  const root: TrieNode = { fields: [], aliases: [] };
  for (const spec of rule) {
    let node = root;
    for (let i = 0; i < spec.segments.length; i++) {
      const key = spec.segments[i]!;
      let field = node.fields.find((f) => f.key === key);
      if (field === undefined) {
        field = { key, path: spec.segments.slice(0, i + 1).join(".") };
        node.fields.push(field);
      }
      if (i === spec.segments.length - 1) {
        field.leaf = spec;
      } else {
        field.node ??= { fields: [], aliases: [] };
        node = field.node;
      }
    }
  }
  fillAliases(root);
  return root;
}

/** Returns the relative paths below `node`; sets `node.aliases` to those with two or more segments. */
function fillAliases(node: TrieNode): string[] {
  const all: string[] = [];
  const aliases: string[] = [];
  for (const f of node.fields) {
    all.push(f.key);
    if (f.node !== undefined) {
      for (const sub of fillAliases(f.node)) {
        const joined = `${f.key}.${sub}`;
        all.push(joined);
        aliases.push(joined);
      }
    }
  }
  node.aliases = aliases;
  return all;
}
