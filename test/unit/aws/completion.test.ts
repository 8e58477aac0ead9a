// The time a completion's ListTables gets: the budget counts from the process's start (a Tab waits
// about a second in all), with a floor for a slow start.
import assert from "node:assert/strict";
import { test } from "node:test";
import { listingBudgetMs, TABLES_BUDGET_MS, TABLES_MIN_LISTING_MS } from "../../../src/aws/completion.js";

test("the listing gets what is left of the budget since the process started, never less than the floor", () => {
  assert.equal(listingBudgetMs({}, 150), TABLES_BUDGET_MS - 150);
  assert.equal(listingBudgetMs({}, TABLES_BUDGET_MS), TABLES_MIN_LISTING_MS);
  assert.equal(listingBudgetMs({ DYNASTREAM_COMPLETION_TIMEOUT: "30s" }, 200), 29_800);
  // An unreadable or zero setting is the default second.
  assert.equal(listingBudgetMs({ DYNASTREAM_COMPLETION_TIMEOUT: "soon" }, 100), TABLES_BUDGET_MS - 100);
  assert.equal(listingBudgetMs({ DYNASTREAM_COMPLETION_TIMEOUT: "0s" }, 100), TABLES_BUDGET_MS - 100);
});
