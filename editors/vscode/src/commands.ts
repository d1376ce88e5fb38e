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
  const stats = new StatsDocument();
  return [
    vscode.workspace.registerTextDocumentContentProvider(STATS_SCHEME, stats),
    register("fim-lsp.toggle", toggleEnabled),
    register("fim-lsp.triggerNow", () => vscode.commands.executeCommand("editor.action.inlineSuggest.trigger")),
    register("fim-lsp.showLog", () => output.show(true)),
    register("fim-lsp.showStats", async () => stats.show(await server.stats())),
    register("fim-lsp.setApiKey", () => setApiKey(server, keys)),
    register("fim-lsp.clearApiKey", () => clearApiKey(server, keys)),
    register("fim-lsp.restartServer", () => server.restart()),
    register("fim-lsp.acceptNextWord", () => server.partialAccepts.acceptNext("word")),
    register("fim-lsp.acceptNextLine", () => server.partialAccepts.acceptNext("line")),
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

/** Not `file` or `untitled`: the server is never sent the stats as a document to complete. */
export const STATS_SCHEME = "fim-lsp-stats";

/**
 * The stats as a read-only virtual document: an untitled one asked to be saved on close and
 * went to the server like any unsaved buffer.
 */
class StatsDocument implements vscode.TextDocumentContentProvider {
  private readonly uri = vscode.Uri.parse(`${STATS_SCHEME}:fim-lsp-stats.json`);
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private text = "{}";

  provideTextDocumentContent(): string {
    return this.text;
  }

  async show(stats: unknown): Promise<void> {
    this.text = JSON.stringify(stats, null, 2);
    this.changed.fire(this.uri);
    const document = await vscode.workspace.openTextDocument(this.uri);
    await vscode.window.showTextDocument(document, { preview: true });
  }
}
