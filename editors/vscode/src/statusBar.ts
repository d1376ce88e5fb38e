/** Renders the status model into a status bar item. */
import * as vscode from "vscode";
import type { StatusModel, StatusView } from "./status";

export function createStatusBar(status: StatusModel): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem("fim-lsp.status", vscode.StatusBarAlignment.Right, 100);
  item.name = "fim-lsp";
  const render = (view: StatusView): void => {
    item.text = view.text;
    item.tooltip = view.tooltip;
    item.command = view.command;
    item.backgroundColor = view.kind === "error" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  };
  render(status.view);
  status.onDidChange(render);
  item.show();
  return item;
}
