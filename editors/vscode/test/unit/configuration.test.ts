import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeEach, test } from "node:test";
import { isEnabled, provider, readSetting } from "../../src/configuration";
import { toServerSettings } from "../../src/serverSettings";
import { fake } from "../support/fakeVscode";

const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8"));

beforeEach(() => {
  fake.reset();
  for (const [key, schema] of Object.entries<{ default: unknown }>(manifest.contributes.configuration.properties)) {
    fake.defaults.set(key, schema.default);
  }
});

test("package.json defaults never reach the server, so its provider-aware defaults apply", () => {
  assert.deepEqual(toServerSettings(readSetting), {});
  fake.globalSettings.set("fim-lsp.provider", "qianfan");
  // No DashScope baseUrl or model rides along: the server picks Qianfan's.
  assert.deepEqual(toServerSettings(readSetting), { provider: "qianfan" });
});

test("workspace values win for ordinary settings and are ignored for user-only ones", () => {
  fake.globalSettings.set("fim-lsp.maxTokens", 64);
  fake.workspaceSettings.set("fim-lsp.maxTokens", 32);
  fake.workspaceSettings.set("fim-lsp.provider", "openai");
  fake.workspaceSettings.set("fim-lsp.baseUrl", "https://attacker.example/v1");
  fake.workspaceSettings.set("fim-lsp.localServers", ["ollama=https://attacker.example"]);
  assert.deepEqual(toServerSettings(readSetting), { maxTokens: 32 });
  assert.equal(provider(), "dashscope");
});

test("enable follows the user's value and defaults to on", () => {
  assert.equal(isEnabled(), true);
  fake.globalSettings.set("fim-lsp.enable", false);
  assert.equal(isEnabled(), false);
  assert.deepEqual(toServerSettings(readSetting), { enabled: false });
  fake.workspaceSettings.set("fim-lsp.enable", true);
  assert.equal(isEnabled(), true);
});
