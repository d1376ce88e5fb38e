import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { parseServerLine, pipeServerLog } from "../../src/serverLog";

test("each server line keeps its level and loses the server's timestamp", () => {
  assert.deepEqual(parseServerLine("2026-12-01 20:03:14,123 DEBUG fim_lsp.engine: debounce 40 ms"), {
    level: "debug",
    text: "fim_lsp.engine: debounce 40 ms",
  });
  assert.equal(parseServerLine("2026-12-01 20:03:14,123 INFO fim_lsp.server: settings updated").level, "info");
  assert.equal(parseServerLine("2026-12-01 20:03:14,123 CRITICAL x: y").level, "error");
  assert.deepEqual(parseServerLine("Traceback (most recent call last):"), { level: "error", text: "Traceback (most recent call last):" });
});

test("a failed completion's reason reaches the status bar", async () => {
  const stderr = new PassThrough();
  const filed: string[] = [];
  const log = {
    debug: (m: string) => filed.push(`debug ${m}`),
    info: (m: string) => filed.push(`info ${m}`),
    warn: (m: string) => filed.push(`warn ${m}`),
    error: (m: string) => filed.push(`error ${m}`),
  };
  const failures: string[] = [];
  pipeServerLog(stderr, log, (reason) => failures.push(reason));
  stderr.end("2026-12-01 20:03:14,123 WARNING fim_lsp.engine: completion failed: cannot reach http://127.0.0.1:9/v1\n");
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(filed, ["warn fim_lsp.engine: completion failed: cannot reach http://127.0.0.1:9/v1"]);
  assert.deepEqual(failures, ["cannot reach http://127.0.0.1:9/v1"]);
});
