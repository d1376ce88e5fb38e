import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import {
  USER_ONLY_SETTINGS,
  needsRestart,
  SECRET_FIELDS,
  SERVER_FIELDS,
  toDidChangeConfigurationParams,
  toServerSettings,
  unsetsAField,
  userSetValue,
} from "../../src/serverSettings";

const root = path.join(__dirname, "..", "..", "..");
const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const declared: Record<string, { default: unknown; scope?: string }> = manifest.contributes.configuration.properties;
const secrets: readonly string[] = SECRET_FIELDS;

/**
 * The settings table of docs/CONTRACT.md: field → default (JSON), secrets excluded. A row may
 * name several fields, `a / b` with defaults `x / y`.
 */
function contractDefaults(): Map<string, unknown> {
  const contract = readFileSync(path.join(root, "..", "..", "docs", "CONTRACT.md"), "utf8");
  const defaults = new Map<string, unknown>();
  for (const match of contract.matchAll(/^\| (\w+(?: \/ \w+)*) \| (.+?) \| .+ \|$/gm)) {
    const fields = match[1].split(" / ");
    if (fields[0] === "field" || fields.some((field) => secrets.includes(field))) {
      continue;
    }
    const values = fields.length > 1 ? match[2].split(" / ") : [match[2]];
    assert.equal(values.length, fields.length, `defaults of ${match[1]}`);
    fields.forEach((field, index) => defaults.set(field, JSON.parse(values[index])));
  }
  return defaults;
}

test("every contract setting has an extension setting with the contract's default", () => {
  const defaults = contractDefaults();
  assert.ok(defaults.size >= 24, `parsed ${defaults.size} contract fields`);
  for (const [field, value] of defaults) {
    const key = SERVER_FIELDS[field as keyof typeof SERVER_FIELDS];
    assert.ok(key, `no extension setting for contract field ${field}`);
    assert.deepEqual(declared[`fim-lsp.${key}`]?.default, value, `default of fim-lsp.${key}`);
  }
});

test("every mapped setting is a contract field", () => {
  const defaults = contractDefaults();
  for (const field of Object.keys(SERVER_FIELDS)) {
    assert.ok(defaults.has(field), `${field} is not in docs/CONTRACT.md`);
  }
});

test("secrets are neither mapped nor declared as settings", () => {
  for (const field of SECRET_FIELDS) {
    assert.equal(field in SERVER_FIELDS, false, `${field} is mapped`);
    assert.equal(declared[`fim-lsp.${field}`], undefined, `fim-lsp.${field} is declared`);
  }
});

test("exactly the settings that decide where code and keys go, or what runs, are application-scoped", () => {
  // `application`, not `machine`: a remote window (code-server, SSH, WSL) hides machine-scoped
  // settings from the User tab and reads them only from the remote's own settings.
  const userOnly = Object.keys(declared).filter((key) => declared[key].scope === "application");
  assert.deepEqual(userOnly.sort(), USER_ONLY_SETTINGS.map((key) => `fim-lsp.${key}`).sort());
});

test("enum settings offer the contract's choices", () => {
  const choices = (key: string) => (declared[`fim-lsp.${key}`] as { enum?: string[] }).enum;
  assert.deepEqual(choices("provider"), ["dashscope", "qianfan", "openai", "ollama", "llamacpp", "codestral", "deepseek"]);
  assert.deepEqual(choices("qianfanAuth"), ["token", "signature"]);
  assert.deepEqual(choices("fimMode"), ["auto", "template", "suffix"]);
  assert.deepEqual(choices("template"), ["auto", "qwen", "codellama", "starcoder", "deepseek", "codegemma", "codestral", "prefix-only", "custom"]);
});

test("only values the user set count, most specific scope first", () => {
  assert.equal(userSetValue("maxTokens", undefined), undefined);
  assert.equal(userSetValue("maxTokens", {}), undefined);
  assert.equal(userSetValue("maxTokens", { globalValue: 64 }), 64);
  assert.equal(userSetValue("maxTokens", { globalValue: 64, workspaceValue: 32 }), 32);
  assert.equal(userSetValue("maxTokens", { globalValue: 64, workspaceValue: 32, workspaceFolderValue: 16 }), 16);
  assert.equal(userSetValue("enable", { globalValue: true, workspaceValue: false }), false);
});

test("a workspace cannot change a user-only setting", () => {
  for (const key of USER_ONLY_SETTINGS) {
    const inspected = { workspaceValue: "from-workspace", workspaceFolderValue: "from-folder" };
    assert.equal(userSetValue(key, inspected), undefined, key);
    assert.equal(userSetValue(key, { ...inspected, globalValue: "mine" }), "mine", key);
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
    qianfanAuth: "signature",
    fimStop: ["<|endoftext|>"],
    alternatives: 5,
  };
  assert.deepEqual(toServerSettings((key) => values[key]), {
    enabled: false,
    disabledLanguages: ["markdown"],
    maxLines: 1,
    baseUrl: "http://127.0.0.1:9/v1",
    model: "qwen2.5-coder-32b-instruct",
    qianfanAuth: "signature",
    fimStop: ["<|endoftext|>"],
    alternatives: 5,
  });
});

test("the keys are never part of the settings object", () => {
  const settings = toServerSettings((key) => (key === "apiKey" || key === "secretKey" ? "sk-secret" : "x"));
  assert.equal("apiKey" in settings, false);
  assert.equal("secretKey" in settings, false);
  assert.doesNotMatch(JSON.stringify(settings), /sk-secret/);
});

test("didChangeConfiguration carries the same object under fimLsp", () => {
  const read = (key: string) => (key === "debounceMs" ? 300 : undefined);
  assert.deepEqual(toDidChangeConfigurationParams(toServerSettings(read)), { settings: { fimLsp: { debounceMs: 300 } } });
});

test("removing a setting is noticed, so the server can fall back to its default", () => {
  assert.equal(unsetsAField({ baseUrl: "http://a/v1" }, {}), true);
  assert.equal(unsetsAField({ baseUrl: "http://a/v1" }, { baseUrl: "http://b/v1", maxTokens: 64 }), false);
  assert.equal(unsetsAField({}, { maxTokens: 64 }), false);
});

test("only launch settings need a new server process", () => {
  const affects = (changed: string[]) => (key: string) => changed.includes(key);
  assert.equal(needsRestart(affects(["fim-lsp.provider"])), true);
  assert.equal(needsRestart(affects(["fim-lsp.server.command"])), true);
  assert.equal(needsRestart(affects(["fim-lsp.server.logLevel"])), true);
  assert.equal(needsRestart(affects(["fim-lsp.maxTokens"])), false);
  assert.equal(needsRestart(affects(["fim-lsp.enable"])), false);
});
