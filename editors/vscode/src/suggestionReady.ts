/**
 * Asks VS Code again for the inline suggestion when the server says that the answer to a
 * request VS Code gave up on is in (`fimLsp/suggestionReady`, docs/CONTRACT.md). VS Code
 * cancels ~740 ms after the last key; where no suggest widget opens it never asks again, so a
 * slow model's answer, kept by the server, would show only at the next key.
 */
import * as vscode from "vscode";
import type { Middleware, StaticFeature } from "vscode-languageclient/node";

export const SUGGESTION_READY_NOTIFICATION = "fimLsp/suggestionReady";
export const TRIGGER_INLINE_SUGGEST = "editor.action.inlineSuggest.trigger";

export interface SuggestionReadyParams {
  textDocument: { uri: string; version: number };
  position: { line: number; character: number };
}

/** A cursor in a document at one version; `uri` as the language client sends it (`Uri.toString()`: no `uriConverters` are set). */
export interface Place {
  uri: string;
  version: number;
  line: number;
  character: number;
}

export function samePlace(a: Place | undefined, b: Place | undefined): boolean {
  return !!a && !!b && a.uri === b.uri && a.version === b.version && a.line === b.line && a.character === b.character;
}

/**
 * Whether to ask again: the user is where the ready answer is for (`here` is undefined when
 * the cursor is a selection or no editor is active), and no ghost text is shown there.
 */
export function shouldAskAgain(ready: SuggestionReadyParams, here: Place | undefined, shown: Place | undefined): boolean {
  const place = { uri: ready.textDocument.uri, version: ready.textDocument.version, ...ready.position };
  return samePlace(place, here) && !samePlace(shown, here);
}

export class SuggestionReady {
  /** Where the last answer VS Code took had items: its ghost text is shown there. */
  private shown: Place | undefined;
  /** Where this asked VS Code again, until VS Code's request comes. */
  private asking: Place | undefined;

  /** Declares `experimental.fimLsp.suggestionReady` in `initialize`. */
  readonly feature: StaticFeature = {
    fillClientCapabilities(capabilities) {
      const experimental = (capabilities.experimental ?? {}) as Record<string, unknown>;
      capabilities.experimental = { ...experimental, fimLsp: { suggestionReady: true } };
    },
    initialize() {},
    getState: () => ({ kind: "static" }),
    clear() {},
  };

  /**
   * Middleware that notes where a ghost text is shown, and sends the request this asked for
   * as automatic: VS Code's trigger command makes it a manual one, which would have the
   * server fetch alternatives the user never asked for.
   */
  readonly middleware: Middleware = {
    provideInlineCompletionItems: async (document, position, context, token, next) => {
      const place = placeOf(document, position);
      const asked = samePlace(this.asking, place) && context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
      this.asking = undefined;
      const result = await next(document, position, asked ? { ...context, triggerKind: vscode.InlineCompletionTriggerKind.Automatic } : context, token);
      if (!token.isCancellationRequested) {
        const items = Array.isArray(result) ? result : (result?.items ?? []);
        this.shown = items.length > 0 ? place : undefined;
      }
      return result;
    },
  };

  /** The server's notification: ask VS Code again if the user is still there, with nothing shown. */
  async ready(params: SuggestionReadyParams): Promise<boolean> {
    const editor = vscode.window.activeTextEditor;
    const here = editor && editor.selection.isEmpty ? placeOf(editor.document, editor.selection.active) : undefined;
    if (!shouldAskAgain(params, here, this.shown)) {
      return false;
    }
    this.asking = here;
    await vscode.commands.executeCommand(TRIGGER_INLINE_SUGGEST);
    return true;
  }

}

function placeOf(document: vscode.TextDocument, position: vscode.Position): Place {
  return { uri: document.uri.toString(), version: document.version, line: position.line, character: position.character };
}
