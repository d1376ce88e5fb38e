/** Builds the LanguageClient: how to start the server and which documents it serves. */
import * as vscode from "vscode";
import {
  LanguageClient,
  RevealOutputChannelOn,
  TransportKind,
  type LanguageClientOptions,
  type Middleware,
  type ServerOptions,
} from "vscode-languageclient/node";
import { requestTracking } from "./requestTracking";
import { pipeServerLog } from "./serverLog";
import type { ServerLaunch } from "./serverLaunch";
import type { ServerSettings } from "./serverSettings";
import type { StatusModel } from "./status";

export const CLIENT_ID = "fim-lsp";

/** Real files and unsaved buffers; not output panes, git views or other virtual documents. */
export const DOCUMENT_SELECTOR = [{ scheme: "file" }, { scheme: "untitled" }];

export function clientOptions(
  settings: () => ServerSettings,
  output: vscode.LogOutputChannel,
  status: StatusModel,
  inlineCompletions: readonly Middleware[],
): LanguageClientOptions {
  return {
    documentSelector: DOCUMENT_SELECTOR,
    // A function, so an automatic restart after a crash sends the current settings.
    initializationOptions: settings,
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    middleware: [requestTracking(status), ...inlineCompletions].reduceRight((inner, outer) => chainInlineCompletions(outer, inner)),
    stdioOptions: {
      stdout: () => undefined, // LSP itself: the client reads it
      stderr: (input, channel) => pipeServerLog(input, channel, (reason) => status.reportProblem(reason)),
    },
  };
}

/** `outer`'s inline completion middleware calling `inner`'s, which calls the client. */
export function chainInlineCompletions(outer: Middleware, inner: Middleware): Middleware {
  return {
    provideInlineCompletionItems: (document, position, context, token, next) =>
      outer.provideInlineCompletionItems!(document, position, context, token, (d, p, c, t) => inner.provideInlineCompletionItems!(d, p, c, t, next)),
  };
}

export function serverOptions(launch: ServerLaunch): ServerOptions {
  return {
    command: launch.command,
    args: launch.args,
    transport: TransportKind.stdio,
    options: { env: launch.env },
  };
}

export function createLanguageClient(launch: ServerLaunch, options: LanguageClientOptions): LanguageClient {
  return new LanguageClient(CLIENT_ID, "fim-lsp", serverOptions(launch), options);
}
