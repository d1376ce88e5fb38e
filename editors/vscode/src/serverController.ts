/** Owns the server process: start, stop, restart, settings updates and requests to it. */
import * as path from "node:path";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  State,
  type LanguageClient,
} from "vscode-languageclient/node";
import { type ApiKeys, isMissingKey } from "./apiKeys";
import { provider, readSetting } from "./configuration";
import { clientOptions, createLanguageClient } from "./languageClient";
import { PARTIAL_ACCEPT_NOTIFICATION, PartialAccepts } from "./partialAccept";
import { probePython } from "./pythonProbe";
import { pythonExtensionInterpreter } from "./pythonInterpreter";
import { describeError } from "./requestTracking";
import { routeServerMessages } from "./serverMessages";
import { pathPythonNames, resolveServerLaunch } from "./serverLaunch";
import { type ServerSettings, toDidChangeConfigurationParams, toServerSettings, unsetsAField } from "./serverSettings";
import type { StatusModel } from "./status";
import { SUGGESTION_READY_NOTIFICATION, SuggestionReady, type SuggestionReadyParams } from "./suggestionReady";

export const STATS_COMMAND = "fim-lsp.stats";

export class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private stopping = false;
  private warnedNoKey = false;
  /** What the running server last received, to notice a removed setting. */
  private sentSettings: ServerSettings = {};
  /** Ctrl+Right and the other partial accepts, told to the running server. */
  readonly partialAccepts = new PartialAccepts(async (params) => {
    if (this.client?.isRunning()) {
      await this.client.sendNotification(PARTIAL_ACCEPT_NOTIFICATION, params);
    }
  });

  constructor(
    private readonly extensionPath: string,
    private readonly output: vscode.LogOutputChannel,
    private readonly status: StatusModel,
    private readonly keys: ApiKeys,
  ) {}

  async start(): Promise<void> {
    this.status.serverStarting();
    const name = provider();
    const credentials = await this.keys.get(name);
    const resolution = await resolveServerLaunch({
      configuredCommand: (readSetting("server.command") as string[] | undefined) ?? [],
      pythonCandidates: [(await pythonExtensionInterpreter()) ?? "", ...pathPythonNames(process.platform)],
      bundledLibs: path.join(this.extensionPath, "bundled", "libs"),
      logLevel: String(readSetting("server.logLevel") ?? "info"),
      provider: name,
      credentials,
      baseEnv: process.env,
      probe: (command) => probePython(command),
    });
    if (!resolution.ok) {
      this.fail("no usable Python (3.10+)", resolution.message);
      void showNoPython(resolution.message);
      return;
    }
    this.output.info(`Starting the ${resolution.description}`);
    if (isMissingKey(name, credentials, process.env)) {
      this.warnNoKeyOnce(name);
    }
    const suggestionReady = new SuggestionReady();
    const client = createLanguageClient(
      resolution.launch,
      clientOptions(() => this.settingsToSend(), this.output, this.status, [this.partialAccepts.middleware, suggestionReady.middleware]),
    );
    client.registerFeature(suggestionReady.feature);
    client.onNotification(SUGGESTION_READY_NOTIFICATION, (params: SuggestionReadyParams) => void suggestionReady.ready(params));
    routeServerMessages(client, this.status);
    client.onDidChangeState((change) => {
      if (change.newState === State.Running) {
        this.status.serverStarted();
      } else if (change.newState === State.Stopped && !this.stopping) {
        this.status.serverFailed("the server stopped");
      }
    });
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.fail("the server did not start", describeError(error));
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) {
      return;
    }
    this.stopping = true;
    try {
      await client.stop();
    } catch (error) {
      this.output.warn(`Stopping the server: ${describeError(error)}`);
    } finally {
      this.stopping = false;
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Sends the current settings to the running server; a removed setting needs a new one. */
  async sendSettings(): Promise<void> {
    this.status.clearProblem();
    if (!this.client?.isRunning()) {
      return;
    }
    const settings = toServerSettings(readSetting);
    if (unsetsAField(this.sentSettings, settings)) {
      await this.restart();
      return;
    }
    this.sentSettings = settings;
    await this.client.sendNotification(DidChangeConfigurationNotification.type, toDidChangeConfigurationParams(settings));
  }

  async stats(): Promise<unknown> {
    if (!this.client?.isRunning()) {
      throw new Error("The fim-lsp server is not running.");
    }
    return this.client.sendRequest(ExecuteCommandRequest.type, { command: STATS_COMMAND, arguments: [] });
  }

  dispose(): void {
    void this.stop();
  }

  /** The initializationOptions of each new server process. */
  private settingsToSend(): ServerSettings {
    this.sentSettings = toServerSettings(readSetting);
    return this.sentSettings;
  }

  private fail(summary: string, detail: string): void {
    this.output.error(detail);
    this.status.serverFailed(summary);
  }

  private warnNoKeyOnce(name: string): void {
    if (this.warnedNoKey) {
      return;
    }
    this.warnedNoKey = true;
    void vscode.window
      .showWarningMessage(`fim-lsp has no API key for "${name}" yet, so completions will fail.`, "Set API Key")
      .then((choice) => choice && vscode.commands.executeCommand("fim-lsp.setApiKey"));
  }
}

async function showNoPython(message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, "Download Python", "Open Settings");
  if (choice === "Download Python") {
    await vscode.env.openExternal(vscode.Uri.parse("https://www.python.org/downloads/"));
  } else if (choice === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", "fim-lsp.server.command");
  }
}
