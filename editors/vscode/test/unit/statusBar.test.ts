import assert from "node:assert/strict";
import { test } from "node:test";
import { StatusModel } from "../../src/status";
import { createStatusBar } from "../../src/statusBar";
import { fake, ThemeColor } from "../support/fakeVscode";

test("the item follows the model: ready, fetching, error with red background, disabled", () => {
  fake.reset();
  const model = new StatusModel();
  createStatusBar(model);
  const item = fake.statusBarItems[0];
  assert.equal(item.visible, true);
  model.serverStarted();
  assert.equal(item.text, "$(sparkle) FIM");
  const settle = model.requestStarted();
  assert.equal(item.text, "$(loading~spin) FIM");
  settle({ kind: "failed", message: "boom" });
  assert.equal(item.command, "fim-lsp.showLog");
  assert.ok(item.backgroundColor instanceof ThemeColor);
  model.setEnabled(false);
  assert.equal(item.command, "fim-lsp.toggle");
  assert.equal(item.backgroundColor, undefined);
  assert.match(item.tooltip, /disabled/);
});
