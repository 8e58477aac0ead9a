import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { AttributeMap } from "../../../src/core/attr.js";
import { diffImages } from "../../../src/core/diff.js";

describe("diffImages", () => {
  it("finds changed, removed and added top-level attributes in a deterministic order", () => {
    const oldImage: AttributeMap = {
      id: { S: "1" },
      status: { S: "pending" },
      coupon: { S: "X1" },
      n: { N: "1" },
    };
    const newImage: AttributeMap = {
      note: { S: "gift" },
      n: { N: "1" },
      status: { S: "shipped" },
      id: { S: "1" },
    };
    assert.deepEqual(diffImages(oldImage, newImage), [
      { path: ["status"], kind: "changed", old: { S: "pending" }, new: { S: "shipped" } },
      { path: ["coupon"], kind: "removed", old: { S: "X1" } },
      { path: ["note"], kind: "added", new: { S: "gift" } },
    ]);
  });

  it("recurses into maps in lists in maps", () => {
    const item = (qty: string, city: string): AttributeMap => ({
      order: {
        M: {
          items: {
            L: [{ M: { sku: { S: "a" }, qty: { N: "1" } } }, { M: { sku: { S: "b" }, qty: { N: qty } } }],
          },
          address: { M: { city: { S: city }, geo: { M: { lat: { N: "59.9" } } } } },
        },
      },
    });
    assert.deepEqual(diffImages(item("1", "Oslo"), item("3", "Bergen")), [
      { path: ["order", "items", 1, "qty"], kind: "changed", old: { N: "1" }, new: { N: "3" } },
      { path: ["order", "address", "city"], kind: "changed", old: { S: "Oslo" }, new: { S: "Bergen" } },
    ]);
  });

  it("adds and removes list elements by index", () => {
    const l = (...xs: string[]): AttributeMap => ({ l: { L: xs.map((S) => ({ S })) } });
    assert.deepEqual(diffImages(l("a", "b"), l("a", "b", "c", "d")), [
      { path: ["l", 2], kind: "added", new: { S: "c" } },
      { path: ["l", 3], kind: "added", new: { S: "d" } },
    ]);
    assert.deepEqual(diffImages(l("a", "b", "c"), l("x")), [
      { path: ["l", 0], kind: "changed", old: { S: "a" }, new: { S: "x" } },
      { path: ["l", 1], kind: "removed", old: { S: "b" } },
      { path: ["l", 2], kind: "removed", old: { S: "c" } },
    ]);
  });

  it("treats a set as one attribute compared as a set", () => {
    assert.deepEqual(diffImages({ t: { SS: ["a", "b"] } }, { t: { SS: ["b", "a"] } }), []);
    assert.deepEqual(diffImages({ t: { SS: ["a", "b"] } }, { t: { SS: ["a", "c"] } }), [
      { path: ["t"], kind: "changed", old: { SS: ["a", "b"] }, new: { SS: ["a", "c"] } },
    ]);
    assert.deepEqual(diffImages({ t: { NS: ["1", "2"] } }, { t: { NS: ["2.0", "1"] } }), []);
    assert.deepEqual(diffImages({ t: { BS: [new Uint8Array([1])] } }, { t: { BS: ["AQ=="] } }), []);
  });

  it("reports a type change as changed, without recursing", () => {
    assert.deepEqual(diffImages({ a: { S: "1" } }, { a: { N: "1" } }), [
      { path: ["a"], kind: "changed", old: { S: "1" }, new: { N: "1" } },
    ]);
    assert.deepEqual(diffImages({ a: { M: { x: { S: "1" } } } }, { a: { L: [{ S: "1" }] } }), [
      { path: ["a"], kind: "changed", old: { M: { x: { S: "1" } } }, new: { L: [{ S: "1" }] } },
    ]);
    assert.deepEqual(diffImages({ a: { NULL: true } }, { a: { BOOL: false } }), [
      { path: ["a"], kind: "changed", old: { NULL: true }, new: { BOOL: false } },
    ]);
  });

  it("compares numbers by value and binary by bytes", () => {
    assert.deepEqual(
      diffImages(
        { n: { N: "1.0" }, b: { B: new Uint8Array([0, 1, 255]) } },
        { n: { N: "1" }, b: { B: "AAH/" } },
      ),
      [],
    );
    const big = "12345678901234567890123456789012345678";
    const big2 = "12345678901234567890123456789012345679";
    assert.equal(diffImages({ n: { N: big } }, { n: { N: big2 } }).length, 1);
    assert.equal(diffImages({ b: { B: "AAH/" } }, { b: { B: "AAH+" } }).length, 1);
  });

  it("handles BOOL, NULL and missing images", () => {
    assert.deepEqual(
      diffImages({ a: { BOOL: true }, z: { NULL: true } }, { a: { BOOL: true }, z: { NULL: true } }),
      [],
    );
    assert.deepEqual(diffImages(undefined, { a: { S: "x" } }), [
      { path: ["a"], kind: "added", new: { S: "x" } },
    ]);
    assert.deepEqual(diffImages({ a: { S: "x" } }, undefined), [
      { path: ["a"], kind: "removed", old: { S: "x" } },
    ]);
    assert.deepEqual(diffImages({ m: { M: {} } }, { m: { M: { k: { S: "v" } } } }), [
      { path: ["m", "k"], kind: "added", new: { S: "v" } },
    ]);
  });
});
