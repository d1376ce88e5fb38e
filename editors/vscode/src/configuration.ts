/** Reads `fim-lsp.*` settings from VS Code. */
import * as vscode from "vscode";
import { type SettingReader, userSetValue } from "./serverSettings";

export const SECTION = "fim-lsp";

/** Only what the user set: package.json defaults would override the server's provider-aware ones. */
export const readSetting: SettingReader = (key) => userSetValue(key, vscode.workspace.getConfiguration(SECTION).inspect(key));

export function isEnabled(): boolean {
  return readSetting("enable") !== false;
}

export function provider(): string {
  return String(readSetting("provider") ?? "dashscope");
}

/** Flips `fim-lsp.enable` where it is set, so a workspace value does not hide the change. */
export async function toggleEnabled(): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspected = config.inspect<boolean>("enable");
  const target =
    inspected?.workspaceFolderValue !== undefined
      ? vscode.ConfigurationTarget.WorkspaceFolder
      : inspected?.workspaceValue !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
  await config.update("enable", !isEnabled(), target);
}
