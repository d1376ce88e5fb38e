import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiKeys, environmentHasKey, maskKey, type SecretStore, secretName } from "../../src/apiKeys";

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
  await keys.set("dashscope", "  sk-dash  ");
  await keys.set("qianfan", "qf-key");
  assert.equal(await keys.get("dashscope"), "sk-dash");
  assert.equal(await keys.get("qianfan"), "qf-key");
  assert.deepEqual([...secrets.values.keys()].sort(), [secretName("dashscope"), secretName("qianfan")]);
  await keys.clear("dashscope");
  assert.equal(await keys.get("dashscope"), undefined);
  assert.equal(await keys.get("qianfan"), "qf-key");
});

test("a blank key is refused", async () => {
  const keys = new ApiKeys(memorySecrets());
  await assert.rejects(keys.set("dashscope", "   "), /cannot be empty/);
});

test("the environment counts as a key source", () => {
  assert.equal(environmentHasKey({ DASHSCOPE_API_KEY: "x" }), true);
  assert.equal(environmentHasKey({ FIM_LSP_API_KEY: "x" }), true);
  assert.equal(environmentHasKey({ FIM_LSP_API_KEY: "" }), false);
  assert.equal(environmentHasKey({}), false);
});

test("a masked key does not reveal it", () => {
  const key = "sk-0123456789abcdef";
  const masked = maskKey(key);
  assert.equal(masked, "sk-…cdef");
  assert.equal(masked.includes("0123456789"), false);
  assert.equal(maskKey("short"), "••••");
});
