/**
 * Partial accepts (Ctrl+Right takes the next word of the ghost text) reported to the server as
 * `textDocument/didPartiallyAcceptCompletion`, as the Neovim plugin does. VS Code tells a
 * provider of partial accepts only through `handleDidPartiallyAcceptCompletionItem`, part of
 * the proposed `inlineCompletionsAdditions` API that a published extension cannot enable (see
 * README), so the extension binds the keys itself: its command runs VS Code's own accept
 * command and reads off the document what that inserted.
 */
import * as vscode from "vscode";
import type { Middleware } from "vscode-languageclient/node";

export const PARTIAL_ACCEPT_NOTIFICATION = "textDocument/didPartiallyAcceptCompletion";

/** VS Code's commands that accept part of the shown suggestion, by the part they take. */
export const ACCEPT_NEXT = {
  word: "editor.action.inlineSuggest.acceptNextWord",
  line: "editor.action.inlineSuggest.acceptNextLine",
} as const;

export interface PartialAcceptParams {
  textDocument: { uri: string };
  id: string;
  /** Characters (code points) taken by this accept. */
  acceptedLength: number;
}

/** A suggestion the server offered: its text from `start`, a document offset. */
export interface OfferedItem {
  id: string;
  start: number;
  insertText: string;
}

/**
 * Which offered item `piece`, inserted at `at` in `text` (the document before the insert),
 * took part of: the one whose text begins with what was typed from its start plus the piece,
 * and goes on. None when the piece took all that was left: that is a full accept, which the
 * item's own command reports.
 */
export function partOf(items: readonly OfferedItem[], text: string, at: number, piece: string): OfferedItem | undefined {
  return items.find((item) => {
    const taken = text.slice(item.start, at) + piece;
    return item.start <= at && piece.length > 0 && item.insertText.startsWith(taken) && taken.length < item.insertText.length;
  });
}

/** What the language client knows of the last suggestions, and the accept commands. */
export class PartialAccepts {
  private offered: { uri: string; items: readonly vscode.InlineCompletionItem[] } | undefined;

  constructor(private readonly send: (params: PartialAcceptParams) => Promise<void>) {}

  /** Middleware that keeps the items of each answer (a cancelled request's leave the shown ones). */
  readonly middleware: Middleware = {
    provideInlineCompletionItems: async (document, position, context, token, next) => {
      const result = await next(document, position, context, token);
      if (!token.isCancellationRequested) {
        const items = Array.isArray(result) ? result : (result?.items ?? []);
        this.offered = { uri: document.uri.toString(), items };
      }
      return result;
    },
  };

  /** Run VS Code's accept-next command and report the part it inserted. */
  async acceptNext(part: keyof typeof ACCEPT_NEXT): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const offered = this.offered;
    if (!editor || offered?.uri !== editor.document.uri.toString()) {
      await vscode.commands.executeCommand(ACCEPT_NEXT[part]);
      return;
    }
    const document = editor.document;
    const text = document.getText();
    const at = document.offsetAt(editor.selection.active);
    const items = offered.items.flatMap((item) => offeredItem(document, item));
    let piece = "";
    // VS Code replaces the span from the cursor to the ghost text with itself plus the part.
    const listening = vscode.workspace.onDidChangeTextDocument((event) => {
      const change = event.document === document ? event.contentChanges.find((c) => c.rangeOffset === at) : undefined;
      piece = change ? change.text.slice(change.rangeLength) : piece;
    });
    try {
      await vscode.commands.executeCommand(ACCEPT_NEXT[part]);
    } finally {
      listening.dispose();
    }
    const item = partOf(items, text, at, piece);
    if (item) {
      await this.send({ textDocument: { uri: offered.uri }, id: item.id, acceptedLength: [...piece].length });
    }
  }
}

function offeredItem(document: vscode.TextDocument, item: vscode.InlineCompletionItem): OfferedItem[] {
  const argument: unknown = item.command?.arguments?.[0];
  const id = typeof argument === "object" && argument !== null ? (argument as { id?: unknown }).id : undefined;
  if (typeof id !== "string" || typeof item.insertText !== "string" || !item.range) {
    return [];
  }
  return [{ id, start: document.offsetAt(item.range.start), insertText: item.insertText }];
}
