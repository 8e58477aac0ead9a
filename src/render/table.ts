import Table from "cli-table3";
import type { Style } from "./style.js";

const BORDERLESS = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  left: "",
  "left-mid": "",
  mid: "",
  "mid-mid": "",
  right: "",
  "right-mid": "",
  middle: "  ",
};

/**
 * A borderless table (cli-table3) with a header row, trailing spaces trimmed so output greps.
 * Cells are expected to be sanitised already.
 */
export function renderTable(head: string[], rows: string[][], style: Style): string {
  const t = new Table({
    head: head.map((h) => style.bold(h)),
    chars: BORDERLESS,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
  });
  for (const r of rows) t.push(r);
  return t
    .toString()
    .split("\n")
    .map((l) => l.replace(/\s+$/, ""))
    .join("\n");
}
