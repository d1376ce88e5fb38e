import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiKeys, environmentHasKey, isMissingKey, maskKey, type SecretStore, secretName } from "../../src/apiKeys";

function memorySecrets(): SecretStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    get: async (key) => values.get(key),
    store: async (key, value) => void values.set(key, value),
    delete: async (key) => void values.delete(key),
  };
}

test("keys are kept per provider", async () => {
  const secrets = memorySecrets();
  const keys = new ApiKeys(secrets);
  await keys.set("dashscope", { apiKey: "  sk-dash  " });
  await keys.set("deepseek", { apiKey: "ds-key" });
  assert.deepEqual(await keys.get("dashscope"), { apiKey: "sk-dash" });
  assert.deepEqual(await keys.get("deepseek"), { apiKey: "ds-key" });
  assert.deepEqual([...secrets.values.keys()].sort(), [secretName("dashscope"), secretName("deepseek")]);
  await keys.clear("dashscope");
  assert.deepEqual(await keys.get("dashscope"), { apiKey: undefined });
  assert.deepEqual(await keys.get("deepseek"), { apiKey: "ds-key" });
});

test("Qianfan keeps an AK/SK pair, stored and cleared together", async () => {
  const secrets = memorySecrets();
  const keys = new ApiKeys(secrets);
  await keys.set("qianfan", { apiKey: " qf-ak ", secretKey: " qf-sk " });
  assert.deepEqual(await keys.get("qianfan"), { apiKey: "qf-ak", secretKey: "qf-sk" });
  assert.deepEqual([...secrets.values.keys()].sort(), [secretName("qianfan"), secretName("qianfan", "secretKey")]);
  await keys.clear("qianfan");
  assert.equal(secrets.values.size, 0);
});

test("a blank key, or an AK without its SK, is refused and nothing is stored", async () => {
  const secrets = memorySecrets();
  const keys = new ApiKeys(secrets);
  await assert.rejects(keys.set("dashscope", { apiKey: "   " }), /cannot be empty/);
  await assert.rejects(keys.set("qianfan", { apiKey: "qf-ak", secretKey: " " }), /secret key \(SK\)/);
  assert.equal(secrets.values.size, 0);
});

test("the environment counts as a key source for its provider", () => {
  assert.equal(environmentHasKey({ DASHSCOPE_API_KEY: "x" }, "dashscope"), true);
  assert.equal(environmentHasKey({ DASHSCOPE_API_KEY: "x" }, "deepseek"), false);
  assert.equal(environmentHasKey({ QIANFAN_AK: "x" }, "qianfan"), true);
  assert.equal(environmentHasKey({ FIM_LSP_API_KEY: "x" }, "codestral"), true);
  assert.equal(environmentHasKey({ FIM_LSP_API_KEY: "" }, "dashscope"), false);
  assert.equal(environmentHasKey({}, "dashscope"), false);
});

test("a key is missing only where the provider needs one and none is stored or inherited", () => {
  assert.equal(isMissingKey("dashscope", {}, {}), true);
  assert.equal(isMissingKey("dashscope", { apiKey: "sk" }, {}), false);
  assert.equal(isMissingKey("dashscope", {}, { DASHSCOPE_API_KEY: "sk" }), false);
  assert.equal(isMissingKey("qianfan", { apiKey: "ak" }, {}), true);
  assert.equal(isMissingKey("qianfan", { apiKey: "ak", secretKey: "sk" }, {}), false);
  for (const keyless of ["ollama", "llamacpp", "openai"]) {
    assert.equal(isMissingKey(keyless, {}, {}), false, keyless);
  }
});

test("a masked key does not reveal it", () => {
  const key = "sk-0123456789abcdef";
  const masked = maskKey(key);
  assert.equal(masked, "sk-…cdef");
  assert.equal(masked.includes("0123456789"), false);
  assert.equal(maskKey("short"), "••••");
});
