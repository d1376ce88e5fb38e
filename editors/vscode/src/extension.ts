/** Entry point: wires the status bar, commands, settings sync and the server together. */
import * as vscode from "vscode";
import { ApiKeys } from "./apiKeys";
import { registerCommands } from "./commands";
import { isEnabled, SECTION } from "./configuration";
import { ServerController } from "./serverController";
import { needsRestart } from "./serverSettings";
import { StatusModel } from "./status";
import { createStatusBar } from "./statusBar";

let server: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("fim-lsp", { log: true });
  const status = new StatusModel();
  status.setEnabled(isEnabled());
  const keys = new ApiKeys(context.secrets);
  server = new ServerController(context.extensionPath, output, status, keys);
  const controller = server;

  context.subscriptions.push(
    output,
    createStatusBar(status),
    controller,
    ...registerCommands(controller, keys, output),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) {
        return;
      }
      status.setEnabled(isEnabled());
      void (needsRestart((key) => event.affectsConfiguration(key)) ? controller.restart() : controller.sendSettings());
    }),
  );
  await controller.start();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
