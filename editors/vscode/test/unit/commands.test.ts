import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import * as vscode from "vscode";
import { ApiKeys, secretName } from "../../src/apiKeys";
import { registerCommands } from "../../src/commands";
import type { ServerController } from "../../src/serverController";
import { fake } from "../support/fakeVscode";

const stored = new Map<string, string>();
const keys = new ApiKeys({
  get: async (key) => stored.get(key),
  store: async (key, value) => void stored.set(key, value),
  delete: async (key) => void stored.delete(key),
});
let restarts = 0;
const server = {
  restart: async () => void (restarts += 1),
  stats: async () => ({ requests: 3, accepted: 1 }),
} as unknown as ServerController;
const output = vscode.window.createOutputChannel("fim-lsp", { log: true });

beforeEach(() => {
  fake.reset();
  stored.clear();
  restarts = 0;
  registerCommands(server, keys, output);
});

const run = (id: string) => vscode.commands.executeCommand(id);

test("every palette command in package.json is registered", async () => {
  const { readFileSync } = await import("node:fs");
  const manifest = JSON.parse(readFileSync(`${__dirname}/../../../package.json`, "utf8"));
  for (const { command } of manifest.contributes.commands) {
    assert.ok(fake.commands.has(command), `${command} is not registered`);
  }
});

test("Set API Key stores the key for the current provider, restarts, and never echoes it", async () => {
  fake.globalSettings.set("fim-lsp.provider", "deepseek");
  fake.inputAnswers.push(" sk-abcdefghijklmnop ");
  await run("fim-lsp.setApiKey");
  assert.equal(stored.get(secretName("deepseek")), "sk-abcdefghijklmnop");
  assert.equal(fake.inputOptions.length, 1);
  assert.equal(fake.inputOptions[0].password, true);
  assert.equal(restarts, 1);
  const everythingShown = JSON.stringify([fake.messages, fake.outputLines, [...fake.globalSettings]]);
  assert.equal(everythingShown.includes("abcdefghijklmnop"), false);
  assert.match(fake.messages.at(-1)?.text ?? "", /saved \(sk-…mnop\)/);
});

test("Set API Key for Qianfan asks for the AK, then the SK, and stores both", async () => {
  fake.globalSettings.set("fim-lsp.provider", "qianfan");
  fake.inputAnswers.push("ak-abcdefghijklmnop", "sk-qrstuvwxyz012345");
  await run("fim-lsp.setApiKey");
  assert.equal(stored.get(secretName("qianfan")), "ak-abcdefghijklmnop");
  assert.equal(stored.get(secretName("qianfan", "secretKey")), "sk-qrstuvwxyz012345");
  assert.deepEqual(
    fake.inputOptions.map((options) => [options.title, options.password]),
    [
      ['fim-lsp: access key (AK) for "qianfan"', true],
      ['fim-lsp: secret key (SK) for "qianfan"', true],
    ],
  );
  assert.equal(restarts, 1);
  const everythingShown = JSON.stringify([fake.messages, fake.outputLines, [...fake.globalSettings]]);
  assert.equal(everythingShown.includes("abcdefghijklmnop") || everythingShown.includes("qrstuvwxyz"), false);
  assert.match(fake.messages.at(-1)?.text ?? "", /AK and SK for "qianfan" saved/);
});

test("Set API Key for Qianfan cancelled at the SK keeps the old pair", async () => {
  fake.globalSettings.set("fim-lsp.provider", "qianfan");
  stored.set(secretName("qianfan"), "old-ak");
  stored.set(secretName("qianfan", "secretKey"), "old-sk");
  fake.inputAnswers.push("new-ak", undefined);
  await run("fim-lsp.setApiKey");
  assert.equal(stored.get(secretName("qianfan")), "old-ak");
  assert.equal(stored.get(secretName("qianfan", "secretKey")), "old-sk");
  assert.equal(restarts, 0);
});

test("Set API Key cancelled with Escape changes nothing", async () => {
  fake.inputAnswers.push(undefined);
  await run("fim-lsp.setApiKey");
  assert.equal(stored.size, 0);
  assert.equal(restarts, 0);
});

test("Clear API Key asks first and removes only the current provider's key", async () => {
  stored.set(secretName("dashscope"), "sk-1");
  stored.set(secretName("qianfan"), "qf-1");
  fake.messageAnswers.push("Remove");
  await run("fim-lsp.clearApiKey");
  assert.deepEqual([...stored.keys()], [secretName("qianfan")]);
  assert.equal(restarts, 1);
});

test("Clear API Key for Qianfan removes the AK and the SK", async () => {
  fake.globalSettings.set("fim-lsp.provider", "qianfan");
  stored.set(secretName("dashscope"), "sk-1");
  stored.set(secretName("qianfan"), "qf-ak");
  stored.set(secretName("qianfan", "secretKey"), "qf-sk");
  fake.messageAnswers.push("Remove");
  await run("fim-lsp.clearApiKey");
  assert.deepEqual([...stored.keys()], [secretName("dashscope")]);
});

test("Toggle flips fim-lsp.enable in user settings, or where a workspace set it", async () => {
  await run("fim-lsp.toggle");
  assert.equal(fake.globalSettings.get("fim-lsp.enable"), false);
  fake.workspaceSettings.set("fim-lsp.enable", false);
  await run("fim-lsp.toggle");
  assert.equal(fake.workspaceSettings.get("fim-lsp.enable"), true);
});

test("Trigger Now asks VS Code for inline suggestions", async () => {
  await run("fim-lsp.triggerNow");
  assert.ok(fake.executed.some((call) => call.command === "editor.action.inlineSuggest.trigger"));
});

test("a failing command reports the error instead of throwing", async () => {
  const failing = { stats: async () => Promise.reject(new Error("The fim-lsp server is not running.")) };
  fake.reset();
  registerCommands(failing as unknown as ServerController, keys, output);
  await run("fim-lsp.showStats");
  assert.match(fake.messages.at(-1)?.text ?? "", /not running/);
});
