import assert from "node:assert/strict";
import { test } from "node:test";
import { type OfferedItem, partOf } from "../../src/partialAccept";

// "    return " typed, the server offered "a + b" from the cursor (offset 19).
const text = "def add(a, b):\n    return \n";
const at = text.indexOf("\n", 15);
const items: OfferedItem[] = [
  { id: "7", start: at, insertText: "a + b" },
  { id: "7:1", start: at, insertText: "b - a" },
];

test("a word taken from the shown item names that item", () => {
  assert.equal(partOf(items, text, at, "a ")?.id, "7");
  assert.equal(partOf(items, text, at, "b ")?.id, "7:1");
});

test("what was typed through since the item's start counts toward it", () => {
  const typed = text.slice(0, at) + "a" + text.slice(at);
  assert.equal(partOf(items, typed, at + 1, " +")?.id, "7");
});

test("taking all that is left is a full accept, not a partial one", () => {
  assert.equal(partOf(items, text, at, "a + b"), undefined);
});

test("text that is no item's (another provider's ghost, nothing inserted) names none", () => {
  assert.equal(partOf(items, text, at, "x"), undefined);
  assert.equal(partOf(items, text, at, ""), undefined);
  assert.equal(partOf(items, text, at - 2, "a "), undefined);
});
