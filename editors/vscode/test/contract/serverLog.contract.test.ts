/**
 * The server's stderr as the real server writes it (tests/support/log_lines.py uses its own
 * logging set-up and gate) read by the extension's parser: a change of the line format on
 * either side fails here. The format itself is in docs/CONTRACT.md, "Log lines".
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { pipeServerLog } from "../../src/serverLog";
import { PYTHON, REPO_ROOT } from "./harness";

test("every line the server writes is filed at its level, and a failure reaches the status", async () => {
  const child = spawn(PYTHON, [path.join(REPO_ROOT, "tests", "support", "log_lines.py")], { stdio: ["ignore", "ignore", "pipe"] });
  const filed: string[] = [];
  const failures: string[] = [];
  const log = {
    debug: (m: string) => filed.push(`debug ${m}`),
    info: (m: string) => filed.push(`info ${m}`),
    warn: (m: string) => filed.push(`warn ${m}`),
    error: (m: string) => filed.push(`error ${m}`),
  };
  pipeServerLog(child.stderr, log, (reason) => failures.push(reason));
  const code = await new Promise((resolve) => child.on("close", resolve));
  assert.equal(code, 0);
  const reason = "dashscope connection to http://127.0.0.1:9/v1/completions failed: ConnectError";
  assert.deepEqual(filed, [
    "debug fim_lsp.example: a debug line",
    "info fim_lsp.example: an info line",
    "warn fim_lsp.example: a warning line",
    "error fim_lsp.example: an error line",
    `warn fim_lsp.gate: completion failed: ${reason}`,
  ]);
  assert.deepEqual(failures, [reason]);
});
