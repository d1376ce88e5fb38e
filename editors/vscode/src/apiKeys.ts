/**
 * API keys live in VS Code's SecretStorage (the OS keychain), one set per provider, never in
 * settings.json. Typed against the three methods it uses, so it tests without `vscode`.
 */

export interface SecretStore {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
}

/** What a provider authenticates with: a key, and for AK/SK providers the SK as well. */
export interface Credentials {
  apiKey?: string;
  secretKey?: string;
}

/**
 * Where the server reads a provider's key from when none is stored, besides FIM_LSP_API_KEY
 * (the server's provider registry, server/fim_lsp/providers/registry.py; tests/unit/test_registry.py
 * holds the two equal).
 */
const PROVIDER_KEY_VARIABLES: Record<string, string> = {
  dashscope: "DASHSCOPE_API_KEY",
  qianfan: "QIANFAN_AK",
  openai: "OPENAI_API_KEY",
  codestral: "CODESTRAL_API_KEY",
  deepseek: "DEEPSEEK_API_KEY",
};

/** Providers that work without a key (a local server, or an OpenAI-compatible one without auth). */
const KEYLESS_PROVIDERS = ["openai", "ollama", "llamacpp"];

/** Qianfan signs with an AK/SK pair: `apiKey` holds the AK, `secretKey` the SK. */
export function usesSecretKey(provider: string): boolean {
  return provider === "qianfan";
}

function needsKey(provider: string): boolean {
  return !KEYLESS_PROVIDERS.includes(provider);
}

export function secretName(provider: string, kind: keyof Credentials = "apiKey"): string {
  return `fim-lsp.${kind}.${provider}`;
}

export class ApiKeys {
  constructor(private readonly secrets: SecretStore) {}

  async get(provider: string): Promise<Credentials> {
    const apiKey = await this.secrets.get(secretName(provider));
    if (!usesSecretKey(provider)) {
      return { apiKey };
    }
    return { apiKey, secretKey: await this.secrets.get(secretName(provider, "secretKey")) };
  }

  /**
   * Stores trimmed keys, all or nothing: a blank key, or an AK without its SK, is refused,
   * since it would only fail later upstream.
   */
  async set(provider: string, credentials: Credentials): Promise<void> {
    const apiKey = credentials.apiKey?.trim() ?? "";
    const secretKey = credentials.secretKey?.trim() ?? "";
    if (apiKey.length === 0) {
      throw new Error("An API key cannot be empty.");
    }
    if (usesSecretKey(provider) && secretKey.length === 0) {
      throw new Error(`"${provider}" needs a secret key (SK) as well.`);
    }
    await this.secrets.store(secretName(provider), apiKey);
    if (usesSecretKey(provider)) {
      await this.secrets.store(secretName(provider, "secretKey"), secretKey);
    }
  }

  async clear(provider: string): Promise<void> {
    await this.secrets.delete(secretName(provider));
    if (usesSecretKey(provider)) {
      await this.secrets.delete(secretName(provider, "secretKey"));
    }
  }
}

/** True when the server will find the provider's key in its inherited environment. */
export function environmentHasKey(env: NodeJS.ProcessEnv, provider: string): boolean {
  return ["FIM_LSP_API_KEY", PROVIDER_KEY_VARIABLES[provider]].some((name) => name && (env[name] ?? "").length > 0);
}

/** True when the provider needs a key and neither SecretStorage nor the environment has one. */
export function isMissingKey(provider: string, credentials: Credentials, env: NodeJS.ProcessEnv): boolean {
  if (!needsKey(provider) || environmentHasKey(env, provider)) {
    return false;
  }
  return !credentials.apiKey || (usesSecretKey(provider) && !credentials.secretKey);
}

/** Shows the shape of a key without revealing it, for confirmations. */
export function maskKey(key: string): string {
  return key.length <= 8 ? "••••" : `${key.slice(0, 3)}…${key.slice(-4)}`;
}
