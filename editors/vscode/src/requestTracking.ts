/** Middleware that tells the status model when an inline completion request is in flight. */
import type { Middleware } from "vscode-languageclient/node";
import type { RequestOutcome, StatusModel } from "./status";

export function requestTracking(status: StatusModel): Middleware {
  return {
    provideInlineCompletionItems: async (document, position, context, token, next) => {
      const settle = status.requestStarted();
      try {
        const result = await next(document, position, context, token);
        settle(token.isCancellationRequested ? { kind: "cancelled" } : outcomeOf(result));
        return result;
      } catch (error) {
        settle(token.isCancellationRequested ? { kind: "cancelled" } : { kind: "failed", message: describeError(error) });
        throw error;
      }
    },
  };
}

function outcomeOf(result: readonly unknown[] | { items: readonly unknown[] } | null | undefined): RequestOutcome {
  const items = Array.isArray(result) ? result : (result as { items?: readonly unknown[] } | null | undefined)?.items;
  return items && items.length > 0 ? { kind: "answered" } : { kind: "empty" };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
