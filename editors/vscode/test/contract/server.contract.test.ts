/**
 * The extension's side of docs/CONTRACT.md, against the real Python server over stdio.
 * The initialize capabilities, the request params and the conversion of the answer all come
 * from the vscode-languageclient instance the extension builds (run on the fake `vscode`), and
 * the settings from the extension's own mapping, so what is sent here is what VS Code sends.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { LanguageClient } from "vscode-languageclient/node";
import { readSetting } from "../../src/configuration";
import { clientOptions, createLanguageClient } from "../../src/languageClient";
import { PartialAccepts } from "../../src/partialAccept";
import { probePython } from "../../src/pythonProbe";
import { type ServerLaunch, resolveServerLaunch } from "../../src/serverLaunch";
import { toDidChangeConfigurationParams, toServerSettings } from "../../src/serverSettings";
import { StatusModel } from "../../src/status";
import {
  CancellationTokenSource,
  fake,
  InlineCompletionTriggerKind,
  Position,
  Range,
  Uri,
  window,
} from "../support/fakeVscode";
import { EXTENSION_ROOT, type FakeProvider, PYTHON, REPO_ROOT, type RunningServer, startFakeProvider, startServer } from "./harness";

/* eslint-disable @typescript-eslint/no-explicit-any */
const API_KEY = "sk-contract-test-0123456789";
const BUNDLED_LIBS = path.join(EXTENSION_ROOT, "bundled", "libs");

function loadSettingDefaults(): void {
  const manifest = JSON.parse(readFileSync(path.join(EXTENSION_ROOT, "package.json"), "utf8"));
  for (const [key, schema] of Object.entries<{ default: unknown }>(manifest.contributes.configuration.properties)) {
    fake.defaults.set(key, schema.default);
  }
}

const launches: { name: string; resolve: () => Promise<ServerLaunch> }[] = [
  {
    name: "project server (FIM_LSP_PYTHON -m fim_lsp)",
    resolve: async () => {
      const result = await resolveServerLaunch({
        configuredCommand: [PYTHON, "-m", "fim_lsp"],
        pythonCandidates: [],
        bundledLibs: BUNDLED_LIBS,
        logLevel: "debug",
        provider: "dashscope",
        credentials: { apiKey: API_KEY },
        baseEnv: { ...process.env, PYTHONPATH: path.join(REPO_ROOT, "server") },
        probe: probePython,
      });
      assert.ok(result.ok);
      return result.launch;
    },
  },
  {
    name: "bundled server (python3 + bundled/libs, as installed from the .vsix)",
    resolve: async () => {
      assert.ok(existsSync(path.join(BUNDLED_LIBS, "fim_lsp")), "bundled/libs is missing: run `npm run bundle-server`");
      const result = await resolveServerLaunch({
        configuredCommand: [],
        pythonCandidates: ["python3"],
        bundledLibs: BUNDLED_LIBS,
        logLevel: "debug",
        provider: "dashscope",
        credentials: { apiKey: API_KEY },
        baseEnv: process.env,
        probe: probePython,
      });
      assert.ok(result.ok, result.ok ? "" : result.message);
      return result.launch;
    },
  },
];

/** The line after applying an item's edit, as VS Code would on accept. */
function applyToLine(line: string, item: { insertText: string; range: { start: { character: number }; end: { character: number } } }): string {
  return line.slice(0, item.range.start.character) + item.insertText + line.slice(item.range.end.character);
}

for (const variant of launches) {
  describe(`contract: ${variant.name}`, () => {
    let provider: FakeProvider;
    let server: RunningServer;
    let client: LanguageClient;
    let initializeResult: any;
    let version = 0;

    const document = (name: string) => ({ uri: Uri.parse(`file:///tmp/fim-lsp-contract/${name}`) });

    async function open(name: string, text: string): Promise<void> {
      await server.connection.sendNotification("textDocument/didOpen", {
        textDocument: { uri: document(name).uri.toString(), languageId: "python", version: ++version, text },
      });
    }

    /** Asks exactly as the extension does: languageclient's converters on VS Code-shaped input. */
    async function complete(name: string, line: number, character: number, context: any) {
      const params = client.code2ProtocolConverter.asInlineCompletionParams(
        document(name) as any,
        new Position(line, character) as any,
        context,
      );
      const raw: any = await server.connection.sendRequest("textDocument/inlineCompletion", params);
      const converted: any = await client.protocol2CodeConverter.asInlineCompletionResult(raw, new CancellationTokenSource().token as any);
      return { params, raw, items: (Array.isArray(converted) ? converted : converted?.items ?? []) as any[] };
    }

    async function sendSettings(): Promise<void> {
      await server.connection.sendNotification("workspace/didChangeConfiguration", toDidChangeConfigurationParams(toServerSettings(readSetting)));
    }

    before(async () => {
      fake.reset();
      loadSettingDefaults();
      provider = await startFakeProvider("total(items)");
      fake.globalSettings.set("fim-lsp.baseUrl", provider.baseUrl);
      fake.globalSettings.set("fim-lsp.debounceMs", 0);
      const launch = await variant.resolve();
      const options = clientOptions(() => toServerSettings(readSetting), window.createOutputChannel("fim-lsp") as any, new StatusModel(), [new PartialAccepts(async () => undefined).middleware]);
      client = createLanguageClient(launch, options);
      server = startServer(launch);
      const initializeParams: any = {
        processId: process.pid,
        clientInfo: { name: "Visual Studio Code", version: "1.91.0" },
        locale: "en",
        rootPath: null,
        rootUri: null,
        capabilities: (client as any).computeClientCapabilities(),
        initializationOptions: (options.initializationOptions as () => unknown)(),
        trace: "off",
        workspaceFolders: null,
      };
      assert.deepEqual(initializeParams.capabilities.general.positionEncodings, ["utf-16"]);
      // Only what the user set: the package.json defaults stay out of the server's way.
      assert.deepEqual(initializeParams.initializationOptions, { baseUrl: provider.baseUrl, debounceMs: 0 });
      initializeResult = await server.connection.sendRequest("initialize", initializeParams);
      await server.connection.sendNotification("initialized", {});
    });

    after(async () => {
      await server?.stop();
      provider?.stop();
    });

    it("initialize advertises inline completion, utf-16 and the contract's commands", () => {
      const capabilities = initializeResult.capabilities;
      assert.ok(capabilities.inlineCompletionProvider, "no inlineCompletionProvider");
      assert.ok(capabilities.positionEncoding === undefined || capabilities.positionEncoding === "utf-16");
      const sync = capabilities.textDocumentSync;
      assert.equal(typeof sync === "number" ? sync : sync.change, 2, "incremental sync");
      for (const command of ["fim-lsp.accepted", "fim-lsp.stats"]) {
        assert.ok(capabilities.executeCommandProvider.commands.includes(command), `${command} not advertised`);
      }
    });

    it("positions count UTF-16 units on lines with CJK and emoji (automatic trigger)", async () => {
      const line = '    label = "加法😀" + ';
      await open("utf16.py", `def show(items):\n${line}\n    return label\n`);
      const { params, items } = await complete("utf16.py", 1, line.length, {
        triggerKind: InlineCompletionTriggerKind.Automatic,
        selectedCompletionInfo: undefined,
      });
      assert.equal((params as any).context.triggerKind, 2, "VS Code Automatic → LSP Automatic (2)");
      assert.equal(items.length, 1, `items: ${JSON.stringify(items)}`);
      const [item] = items;
      assert.equal(item.insertText, "total(items)");
      assert.deepEqual([item.range.start.line, item.range.start.character], [1, line.length]);
      assert.equal(item.range.start.line, item.range.end.line, "an item's range lies on one line");
      const prompt = await provider.promptContaining("label =");
      assert.ok(prompt?.includes(`${line}<|fim_suffix|>`), `prefix must end at the cursor: ${JSON.stringify(prompt)}`);
      assert.ok(prompt?.includes("<|fim_suffix|>\n    return label"), `suffix must start at the cursor: ${JSON.stringify(prompt)}`);
    });

    it("items carry the accept command, which the server takes and counts", async () => {
      const { items } = await complete("utf16.py", 1, '    label = "加法😀" + '.length, {
        triggerKind: InlineCompletionTriggerKind.Invoke,
        selectedCompletionInfo: undefined,
      });
      const command = items[0]?.command;
      assert.equal(command?.command, "fim-lsp.accepted");
      assert.equal(command.arguments[0].uri, document("utf16.py").uri.toString());
      await server.connection.sendRequest("workspace/executeCommand", { command: command.command, arguments: command.arguments });
      const stats: any = await server.connection.sendRequest("workspace/executeCommand", { command: "fim-lsp.stats", arguments: [] });
      assert.equal(typeof stats, "object");
      assert.ok(stats.accepted >= 1, `stats: ${JSON.stringify(stats)}`);
    });

    it("closing brackets after the cursor are replaced, not doubled (invoked trigger)", async () => {
      const line = "    print()";
      await open("brackets.py", `def show(items):\n${line}\n`);
      const { params, items } = await complete("brackets.py", 1, line.length - 1, {
        triggerKind: InlineCompletionTriggerKind.Invoke,
        selectedCompletionInfo: undefined,
      });
      assert.equal((params as any).context.triggerKind, 1, "VS Code Invoke → LSP Invoked (1)");
      assert.equal(items.length, 1);
      assert.equal(applyToLine(line, items[0]), "    print(total(items))");
    });

    it("with the suggest widget open, the answer extends the selected item", async () => {
      const selectionProvider = await startFakeProvider("(items)");
      try {
        fake.globalSettings.set("fim-lsp.baseUrl", selectionProvider.baseUrl);
        await sendSettings();
        const line = "    res = tot";
        await open("selected.py", `def show(items):\n${line}\n`);
        const { params, items } = await complete("selected.py", 1, line.length, {
          triggerKind: InlineCompletionTriggerKind.Automatic,
          selectedCompletionInfo: { range: new Range(1, 10, 1, 13), text: "total" },
        });
        assert.deepEqual((params as any).context.selectedCompletionInfo, {
          range: { start: { line: 1, character: 10 }, end: { line: 1, character: 13 } },
          text: "total",
        });
        assert.equal(items.length, 1);
        const [item] = items;
        // VS Code shows the item only if, over the selected range, its text starts with the selection.
        assert.ok(item.range.start.character <= 10 && item.range.end.character >= 13, `range ${JSON.stringify(item.range)}`);
        const replaced = line.slice(item.range.start.character, 10);
        assert.ok((item.insertText as string).startsWith(`${replaced}total`), `insertText ${JSON.stringify(item.insertText)}`);
        assert.equal(applyToLine(line, item), "    res = total(items)");
        const prompt = await selectionProvider.promptContaining("res = ");
        assert.ok(prompt?.includes("res = total<|fim_suffix|>"), `the prompt completes after the selection: ${JSON.stringify(prompt)}`);
      } finally {
        fake.globalSettings.set("fim-lsp.baseUrl", provider.baseUrl);
        await sendSettings();
        selectionProvider.stop();
      }
    });

    it("settings sync: disabled globally or per language gives no items", async () => {
      const line = '    label = "加法😀" + ';
      const ask = () =>
        complete("utf16.py", 1, line.length, { triggerKind: InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined });
      fake.globalSettings.set("fim-lsp.enable", false);
      await sendSettings();
      assert.equal((await ask()).items.length, 0, "enable: false");
      fake.globalSettings.set("fim-lsp.enable", true);
      fake.globalSettings.set("fim-lsp.disabledLanguages", ["python"]);
      await sendSettings();
      assert.equal((await ask()).items.length, 0, "disabledLanguages: [python]");
      // Set, not removed: the server keeps a removed field's last value (the extension restarts it then).
      fake.globalSettings.set("fim-lsp.disabledLanguages", []);
      await sendSettings();
      assert.equal((await ask()).items.length, 1, "enabled again");
    });

    it("the key reached the provider's requests and never the log or the user", () => {
      assert.ok(provider.received().length > 0);
      assert.equal(server.stderr().includes(API_KEY), false, "the API key is in the server log");
      assert.deepEqual(server.shownMessages.filter((message) => message.type === 1), [], "the server reported errors");
    });
  });
}
