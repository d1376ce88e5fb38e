import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import {
  needsRestart,
  SERVER_FIELDS,
  toDidChangeConfigurationParams,
  toServerSettings,
} from "../../src/serverSettings";

const root = path.join(__dirname, "..", "..", "..");
const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const declared: Record<string, { default: unknown }> = manifest.contributes.configuration.properties;

/** The settings table of docs/CONTRACT.md: field → default (JSON), apiKey excluded. */
function contractDefaults(): Map<string, unknown> {
  const contract = readFileSync(path.join(root, "..", "..", "docs", "CONTRACT.md"), "utf8");
  const defaults = new Map<string, unknown>();
  for (const match of contract.matchAll(/^\| (\w+) \| (.+?) \| .+ \|$/gm)) {
    const [, field, value] = match;
    if (field !== "field" && field !== "apiKey") {
      defaults.set(field, JSON.parse(value));
    }
  }
  return defaults;
}

test("every contract setting has an extension setting with the contract's default", () => {
  const defaults = contractDefaults();
  assert.ok(defaults.size >= 13, `parsed ${defaults.size} contract fields`);
  for (const [field, value] of defaults) {
    const key = SERVER_FIELDS[field as keyof typeof SERVER_FIELDS];
    assert.ok(key, `no extension setting for contract field ${field}`);
    assert.deepEqual(declared[`fim-lsp.${key}`]?.default, value, `default of fim-lsp.${key}`);
  }
});

test("every mapped setting is declared in package.json", () => {
  for (const key of Object.values(SERVER_FIELDS)) {
    assert.ok(declared[`fim-lsp.${key}`], `fim-lsp.${key} is not in contributes.configuration`);
  }
});

test("settings map to the contract's camelCase fields", () => {
  const values: Record<string, unknown> = {
    enable: false,
    disabledLanguages: ["markdown"],
    maxLines: 1,
    baseUrl: "http://127.0.0.1:9/v1",
    model: "qwen2.5-coder-32b-instruct",
  };
  assert.deepEqual(toServerSettings((key) => values[key]), {
    enabled: false,
    disabledLanguages: ["markdown"],
    maxLines: 1,
    baseUrl: "http://127.0.0.1:9/v1",
    model: "qwen2.5-coder-32b-instruct",
  });
});

test("the API key is never part of the settings object", () => {
  const settings = toServerSettings((key) => (key === "apiKey" ? "sk-secret" : "x"));
  assert.equal("apiKey" in settings, false);
  assert.doesNotMatch(JSON.stringify(settings), /sk-secret/);
});

test("didChangeConfiguration carries the same object under fimLsp", () => {
  const read = (key: string) => (key === "debounceMs" ? 300 : undefined);
  assert.deepEqual(toDidChangeConfigurationParams(read), { settings: { fimLsp: { debounceMs: 300 } } });
});

test("only launch settings need a new server process", () => {
  const affects = (changed: string[]) => (key: string) => changed.includes(key);
  assert.equal(needsRestart(affects(["fim-lsp.provider"])), true);
  assert.equal(needsRestart(affects(["fim-lsp.server.command"])), true);
  assert.equal(needsRestart(affects(["fim-lsp.server.logLevel"])), true);
  assert.equal(needsRestart(affects(["fim-lsp.maxTokens"])), false);
  assert.equal(needsRestart(affects(["fim-lsp.enable"])), false);
});
