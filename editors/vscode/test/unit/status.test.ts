import assert from "node:assert/strict";
import { test } from "node:test";
import { SHOW_LOG_COMMAND, StatusModel, type StatusKind, TOGGLE_COMMAND } from "../../src/status";

function runningModel(): { model: StatusModel; seen: StatusKind[] } {
  const model = new StatusModel();
  const seen: StatusKind[] = [];
  model.onDidChange((view) => seen.push(view.kind));
  model.serverStarting();
  model.serverStarted();
  return { model, seen };
}

test("starting, then ready once the server runs", () => {
  const model = new StatusModel();
  model.serverStarting();
  assert.equal(model.view.kind, "starting");
  model.serverStarted();
  assert.equal(model.view.kind, "ready");
  assert.equal(model.view.command, TOGGLE_COMMAND);
});

test("fetching while any request is in flight, ready after the last one", () => {
  const { model, seen } = runningModel();
  const first = model.requestStarted();
  const second = model.requestStarted();
  assert.equal(model.view.kind, "fetching");
  assert.match(model.view.text, /~spin/);
  first({ kind: "cancelled" });
  assert.equal(model.view.kind, "fetching");
  second({ kind: "answered" });
  assert.equal(model.view.kind, "ready");
  assert.deepEqual(seen, ["starting", "ready", "fetching", "fetching", "fetching", "ready"]);
});

test("settling a request twice counts once", () => {
  const { model } = runningModel();
  const settle = model.requestStarted();
  model.requestStarted();
  settle({ kind: "answered" });
  settle({ kind: "answered" });
  assert.equal(model.view.kind, "fetching");
});

test("a failed request shows the error, clicks open the log, and an answer clears it", () => {
  const { model } = runningModel();
  model.requestStarted()({ kind: "failed", message: "Request failed: boom" });
  assert.equal(model.view.kind, "error");
  assert.equal(model.view.command, SHOW_LOG_COMMAND);
  assert.match(model.view.tooltip, /boom/);
  model.requestStarted()({ kind: "empty" });
  assert.equal(model.view.kind, "error", "an empty answer proves nothing");
  model.requestStarted()({ kind: "cancelled" });
  assert.equal(model.view.kind, "error", "a cancelled request proves nothing");
  model.requestStarted()({ kind: "answered" });
  assert.equal(model.view.kind, "ready");
});

test("a problem the server reports stays until settings change", () => {
  const { model } = runningModel();
  model.reportProblem("the API key was rejected");
  assert.equal(model.view.kind, "error");
  model.requestStarted()({ kind: "empty" });
  assert.equal(model.view.kind, "error");
  model.clearProblem();
  assert.equal(model.view.kind, "ready");
});

test("a server that cannot run is an error even with requests pending", () => {
  const { model } = runningModel();
  model.requestStarted();
  model.serverFailed("no usable Python (3.10+)");
  assert.equal(model.view.kind, "error");
  assert.match(model.view.tooltip, /Python/);
});

test("disabled wins over everything and a click toggles", () => {
  const { model } = runningModel();
  model.serverFailed("boom");
  model.setEnabled(false);
  assert.equal(model.view.kind, "disabled");
  assert.equal(model.view.command, TOGGLE_COMMAND);
  model.setEnabled(true);
  assert.equal(model.view.kind, "error");
});

test("a restart forgets old problems and requests", () => {
  const { model } = runningModel();
  model.requestStarted();
  model.reportProblem("no API key");
  model.serverStarting();
  model.serverStarted();
  assert.equal(model.view.kind, "ready");
});
