/** The commands in the palette and behind the status bar item. */
import * as vscode from "vscode";
import { type ApiKeys, maskKey } from "./apiKeys";
import { provider, toggleEnabled } from "./configuration";
import { describeError } from "./requestTracking";
import type { ServerController } from "./serverController";

export function registerCommands(
  server: ServerController,
  keys: ApiKeys,
  output: vscode.LogOutputChannel,
): vscode.Disposable[] {
  const register = (id: string, run: () => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(id, async () => {
      try {
        await run();
      } catch (error) {
        void vscode.window.showErrorMessage(`fim-lsp: ${describeError(error)}`);
      }
    });
  return [
    register("fim-lsp.toggle", toggleEnabled),
    register("fim-lsp.triggerNow", () => vscode.commands.executeCommand("editor.action.inlineSuggest.trigger")),
    register("fim-lsp.showLog", () => output.show(true)),
    register("fim-lsp.showStats", async () => showStats(await server.stats())),
    register("fim-lsp.setApiKey", () => setApiKey(server, keys)),
    register("fim-lsp.clearApiKey", () => clearApiKey(server, keys)),
    register("fim-lsp.restartServer", () => server.restart()),
  ];
}

async function setApiKey(server: ServerController, keys: ApiKeys): Promise<void> {
  const name = provider();
  const key = await vscode.window.showInputBox({
    title: `fim-lsp: API key for "${name}"`,
    prompt: "Stored in VS Code's secret storage (your OS keychain), never in settings.json.",
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim().length === 0 ? "Paste the key, or press Escape to cancel." : undefined),
  });
  if (key === undefined) {
    return;
  }
  await keys.set(name, key);
  // The key reaches the server through its environment, so it needs a new process.
  await server.restart();
  void vscode.window.showInformationMessage(`fim-lsp: API key for "${name}" saved (${maskKey(key.trim())}).`);
}

async function clearApiKey(server: ServerController, keys: ApiKeys): Promise<void> {
  const name = provider();
  const confirm = await vscode.window.showWarningMessage(
    `Remove the stored API key for "${name}"?`,
    { modal: true },
    "Remove",
  );
  if (confirm !== "Remove") {
    return;
  }
  await keys.clear(name);
  await server.restart();
  void vscode.window.showInformationMessage(`fim-lsp: API key for "${name}" removed.`);
}

async function showStats(stats: unknown): Promise<void> {
  const document = await vscode.workspace.openTextDocument({
    language: "json",
    content: JSON.stringify(stats, null, 2),
  });
  await vscode.window.showTextDocument(document, { preview: true });
}
