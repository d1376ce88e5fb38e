/**
 * API keys live in VS Code's SecretStorage (the OS keychain), one per provider, never in
 * settings.json. Typed against the three methods it uses, so it tests without `vscode`.
 */

export interface SecretStore {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
}

/** Environment variables the server reads a key from when none is stored (docs/CONTRACT.md). */
export const KEY_ENVIRONMENT_VARIABLES = ["FIM_LSP_API_KEY", "DASHSCOPE_API_KEY"] as const;

export function secretName(provider: string): string {
  return `fim-lsp.apiKey.${provider}`;
}

export class ApiKeys {
  constructor(private readonly secrets: SecretStore) {}

  get(provider: string): Thenable<string | undefined> {
    return this.secrets.get(secretName(provider));
  }

  /** Stores a trimmed key; a blank one is refused, since it would only fail later upstream. */
  async set(provider: string, key: string): Promise<void> {
    const trimmed = key.trim();
    if (trimmed.length === 0) {
      throw new Error("An API key cannot be empty.");
    }
    await this.secrets.store(secretName(provider), trimmed);
  }

  async clear(provider: string): Promise<void> {
    await this.secrets.delete(secretName(provider));
  }
}

/** True when the server will find a key in its inherited environment. */
export function environmentHasKey(env: NodeJS.ProcessEnv): boolean {
  return KEY_ENVIRONMENT_VARIABLES.some((name) => (env[name] ?? "").length > 0);
}

/** Shows the shape of a key without revealing it, for confirmations. */
export function maskKey(key: string): string {
  return key.length <= 8 ? "••••" : `${key.slice(0, 3)}…${key.slice(-4)}`;
}
