/**
 * The whole extension, activated on the fake `vscode` with the real vscode-languageclient and
 * the real server: start-up, status bar, registered provider, middleware and accept command.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { activate, deactivate } from "../../src/extension";
import { CancellationTokenSource, fake, InlineCompletionTriggerKind, Position, Uri, workspace } from "../support/fakeVscode";
import { delay, EXTENSION_ROOT, type FakeProvider, PYTHON, REPO_ROOT, startFakeProvider } from "./harness";

/* eslint-disable @typescript-eslint/no-explicit-any */
const LINE = "    total = sum(";
const document = {
  uri: Uri.parse("file:///tmp/fim-lsp-activation/a.py"),
  fileName: "/tmp/fim-lsp-activation/a.py",
  languageId: "python",
  version: 1,
  isClosed: false,
  getText: () => `def show(items):\n${LINE}\n`,
};
let provider: FakeProvider;
const secrets = new Map<string, string>();

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt++) {
    await delay(50);
  }
  assert.ok(condition(), `timed out waiting for ${what}`);
}

before(async () => {
  fake.reset();
  const manifest = JSON.parse(readFileSync(path.join(EXTENSION_ROOT, "package.json"), "utf8"));
  for (const [key, schema] of Object.entries<{ default: unknown }>(manifest.contributes.configuration.properties)) {
    fake.defaults.set(key, schema.default);
  }
  provider = await startFakeProvider("items)");
  fake.globalSettings.set("fim-lsp.baseUrl", provider.baseUrl);
  fake.globalSettings.set("fim-lsp.debounceMs", 0);
  fake.globalSettings.set("fim-lsp.server.command", [PYTHON, "-m", "fim_lsp"]);
  // The configured command inherits VS Code's environment; this makes the checkout importable.
  process.env.PYTHONPATH = path.join(REPO_ROOT, "server");
  secrets.set("fim-lsp.apiKey.dashscope", "sk-activation-test-0123456789");
  workspace.textDocuments.push(document);
  await activate({
    extensionPath: EXTENSION_ROOT,
    subscriptions: [],
    secrets: {
      get: async (key: string) => secrets.get(key),
      store: async (key: string, value: string) => void secrets.set(key, value),
      delete: async (key: string) => void secrets.delete(key),
    },
  } as any);
});

after(async () => {
  await deactivate();
  provider?.stop();
});

test("activation starts the server and the status bar says ready", async () => {
  const item = fake.statusBarItems[0];
  await until(() => item.text === "$(sparkle) FIM", "the ready status");
  assert.equal(fake.messages.filter((message) => message.level === "error").length, 0, JSON.stringify(fake.messages));
});

test("the registered provider answers through the middleware and VS Code gets the accept command", async () => {
  await until(() => fake.inlineProviders.length > 0, "an inline completion provider");
  const { provider: inline } = fake.inlineProviders[0];
  const result = await inline.provideInlineCompletionItems(
    document,
    new Position(1, LINE.length),
    { triggerKind: InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined },
    new CancellationTokenSource().token,
  );
  const items = Array.isArray(result) ? result : result.items;
  assert.equal(items.length, 1);
  assert.equal(items[0].insertText, "items)");
  assert.equal(fake.statusBarItems[0].text, "$(sparkle) FIM");
  // vscode-languageclient registers the server's commands, so VS Code can run the item's on accept.
  assert.ok(fake.commands.has(items[0].command.command), `${items[0].command.command} is not a VS Code command`);
  await fake.commands.get(items[0].command.command)!(...items[0].command.arguments);
});

test("turning completions off in settings reaches the server and the status bar", async () => {
  await workspace.getConfiguration("fim-lsp").update("enable", false, 1);
  assert.equal(fake.statusBarItems[0].text, "$(circle-slash) FIM");
  await delay(200);
  const { provider: inline } = fake.inlineProviders[0];
  const result = await inline.provideInlineCompletionItems(
    document,
    new Position(1, LINE.length),
    { triggerKind: InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined },
    new CancellationTokenSource().token,
  );
  const items = result ? (Array.isArray(result) ? result : result.items) : [];
  assert.equal(items.length, 0);
});
