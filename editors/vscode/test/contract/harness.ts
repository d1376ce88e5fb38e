/**
 * Processes for the contract test: the repo's fake provider and the real Python server, the
 * latter driven over stdio by a vscode-languageserver-protocol connection.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import {
  createProtocolConnection,
  ExitNotification,
  ShutdownRequest,
  type ProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node";
import type { ServerLaunch } from "../../src/serverLaunch";

export const EXTENSION_ROOT = path.resolve(__dirname, "..", "..", "..");
export const REPO_ROOT = path.resolve(EXTENSION_ROOT, "..", "..");
export const PYTHON = process.env.FIM_LSP_PYTHON ?? "python3";

export interface FakeProvider {
  baseUrl: string;
  /** Request bodies the provider received, in order. */
  received(): { path: string; body: { prompt?: string; [key: string]: unknown } }[];
  /** The newest recorded prompt that contains `needle`, waiting for the recorder to catch up. */
  promptContaining(needle: string): Promise<string | undefined>;
  stop(): void;
}

export async function startFakeProvider(text: string): Promise<FakeProvider> {
  const record = path.join(mkdtempSync(path.join(tmpdir(), "fim-lsp-contract-")), "requests.jsonl");
  const script = path.join(REPO_ROOT, "tests", "support", "fake_provider.py");
  const child = spawn(PYTHON, [script, "--text", text, "--record", record], { stdio: ["ignore", "pipe", "inherit"] });
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => resolve(line));
    child.once("exit", (code) => reject(new Error(`fake provider exited with ${code}`)));
  });
  const port = /^PORT (\d+)$/.exec(firstLine)?.[1];
  if (!port) {
    child.kill();
    throw new Error(`fake provider said ${JSON.stringify(firstLine)}`);
  }
  const received = () => {
    try {
      return readFileSync(record, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line));
    } catch {
      return [];
    }
  };
  return {
    baseUrl: `http://127.0.0.1:${port}/compatible-mode/v1`,
    received,
    promptContaining: async (needle) => {
      // The fake appends to its record every 50 ms.
      for (let attempt = 0; attempt < 60; attempt++) {
        const prompts: string[] = received().map((request) => String(request.body.prompt));
        const found = prompts.reverse().find((prompt) => prompt.includes(needle));
        if (found !== undefined) {
          return found;
        }
        await delay(50);
      }
      return undefined;
    },
    stop: () => void child.kill(),
  };
}

export interface RunningServer {
  connection: ProtocolConnection;
  /** Everything the server wrote to stderr (its log). */
  stderr(): string;
  /** `window/showMessage` texts the server sent. */
  shownMessages: { type: number; message: string }[];
  stop(): Promise<void>;
}

export function startServer(launch: ServerLaunch): RunningServer {
  const child: ChildProcess = spawn(launch.command, launch.args, { env: launch.env, stdio: ["pipe", "pipe", "pipe"] });
  let log = "";
  child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString("utf8")));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const shownMessages: { type: number; message: string }[] = [];
  connection.onNotification("window/showMessage", (params: { type: number; message: string }) => {
    shownMessages.push(params);
  });
  connection.onNotification("window/logMessage", () => undefined);
  // Answered as vscode-languageclient does for a client with no configuration section.
  connection.onRequest("workspace/configuration", (params: { items: unknown[] }) => {
    return params.items.map(() => null);
  });
  for (const method of ["client/registerCapability", "client/unregisterCapability", "window/workDoneProgress/create"]) {
    connection.onRequest(method, () => null);
  }
  connection.listen();
  return {
    connection,
    stderr: () => log,
    shownMessages,
    stop: async () => {
      try {
        await Promise.race([connection.sendRequest(ShutdownRequest.type), delay(3000)]);
        await connection.sendNotification(ExitNotification.type);
      } finally {
        connection.dispose();
        await Promise.race([new Promise((resolve) => child.once("exit", resolve)), delay(3000)]);
        child.kill();
      }
    },
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
