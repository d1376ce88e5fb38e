/**
 * The server's `window/showMessage` notifications: shown with buttons that lead to a fix, and
 * errors also turn the status bar item red.
 */
import * as vscode from "vscode";
import { MessageType, ShowMessageNotification, type LanguageClient } from "vscode-languageclient/node";
import type { StatusModel } from "./status";

export const SHOW_LOG = "Show Log";
export const SET_API_KEY = "Set API Key";

/** Buttons worth offering for a server message; pure so it tests without `vscode`. */
export function actionsFor(message: string): string[] {
  return /api key/i.test(message) ? [SET_API_KEY, SHOW_LOG] : [SHOW_LOG];
}

/** Short text for the status bar tooltip: the message without its "fim-lsp: " prefix. */
export function problemSummary(message: string): string {
  return message.replace(/^fim-lsp:\s*/, "");
}

export function routeServerMessages(client: LanguageClient, status: StatusModel): void {
  // Replaces the client's default handler, which would only show the text.
  client.onNotification(ShowMessageNotification.type, async ({ type, message }) => {
    if (type === MessageType.Error) {
      status.reportProblem(problemSummary(message));
    }
    const show =
      type === MessageType.Error
        ? vscode.window.showErrorMessage
        : type === MessageType.Warning
          ? vscode.window.showWarningMessage
          : vscode.window.showInformationMessage;
    const choice = await show(message, ...actionsFor(message));
    if (choice === SET_API_KEY) {
      await vscode.commands.executeCommand("fim-lsp.setApiKey");
    } else if (choice === SHOW_LOG) {
      await vscode.commands.executeCommand("fim-lsp.showLog");
    }
  });
}
