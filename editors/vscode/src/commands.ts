/** The commands in the palette and behind the status bar item. */
import * as vscode from "vscode";
import { type ApiKeys, maskKey, usesSecretKey } from "./apiKeys";
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
  const pair = usesSecretKey(name);
  const apiKey = await askForKey(pair ? `access key (AK) for "${name}"` : `API key for "${name}"`);
  if (apiKey === undefined) {
    return;
  }
  // Asked before anything is stored, so an Escape here leaves the old pair intact.
  const secretKey = pair ? await askForKey(`secret key (SK) for "${name}"`) : undefined;
  if (pair && secretKey === undefined) {
    return;
  }
  await keys.set(name, { apiKey, secretKey });
  // Keys reach the server through its environment, so they need a new process.
  await server.restart();
  const masked = [apiKey, secretKey].flatMap((key) => (key === undefined ? [] : [maskKey(key.trim())]));
  void vscode.window.showInformationMessage(`fim-lsp: ${keysLabel(name)} for "${name}" saved (${masked.join(", ")}).`);
}

function askForKey(what: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: `fim-lsp: ${what}`,
    prompt: "Stored in VS Code's secret storage (your OS keychain), never in settings.json.",
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim().length === 0 ? "Paste the key, or press Escape to cancel." : undefined),
  });
}

async function clearApiKey(server: ServerController, keys: ApiKeys): Promise<void> {
  const name = provider();
  const confirm = await vscode.window.showWarningMessage(
    `Remove the stored ${keysLabel(name)} for "${name}"?`,
    { modal: true },
    "Remove",
  );
  if (confirm !== "Remove") {
    return;
  }
  await keys.clear(name);
  await server.restart();
  void vscode.window.showInformationMessage(`fim-lsp: ${keysLabel(name)} for "${name}" removed.`);
}

function keysLabel(provider: string): string {
  return usesSecretKey(provider) ? "AK and SK" : "API key";
}

async function showStats(stats: unknown): Promise<void> {
  const document = await vscode.workspace.openTextDocument({
    language: "json",
    content: JSON.stringify(stats, null, 2),
  });
  await vscode.window.showTextDocument(document, { preview: true });
}
