import assert from "node:assert/strict";
import { test } from "node:test";
import { actionsFor, problemSummary, SET_API_KEY, SHOW_LOG } from "../../src/serverMessages";

test("key problems offer to set the key; others offer the log", () => {
  assert.deepEqual(actionsFor("fim-lsp: no API key for dashscope. Set apiKey ..."), [SET_API_KEY, SHOW_LOG]);
  assert.deepEqual(actionsFor("fim-lsp: the provider is rate limiting us"), [SHOW_LOG]);
});

test("the status tooltip drops the fim-lsp prefix", () => {
  assert.equal(problemSummary("fim-lsp: the API key was rejected"), "the API key was rejected");
});
