/**
 * The settings object the server receives (docs/CONTRACT.md), built from the extension's
 * `fim-lsp.*` settings. No `vscode` import, so it tests without fakes.
 */

/** Reads one `fim-lsp.*` setting, e.g. `read("maxTokens")`; undefined when unknown. */
export type SettingReader = (key: string) => unknown;

/** Contract field → extension setting key (under `fim-lsp.`). The API key is not here: it travels in the environment. */
export const SERVER_FIELDS = {
  provider: "provider",
  baseUrl: "baseUrl",
  model: "model",
  maxTokens: "maxTokens",
  temperature: "temperature",
  contextTokens: "contextTokens",
  prefixShare: "prefixShare",
  debounceMs: "debounceMs",
  maxLines: "maxLines",
  enabled: "enable",
  disabledLanguages: "disabledLanguages",
  exclude: "exclude",
  timeoutMs: "timeoutMs",
} as const;

export type ServerSettings = Partial<Record<keyof typeof SERVER_FIELDS, unknown>>;

/** Settings that the running server cannot take over: they change how it is started. */
export const RESTART_SETTINGS = ["provider", "server.command", "server.logLevel"] as const;

/** Section name the server looks for in `workspace/didChangeConfiguration`. */
export const SERVER_SECTION = "fimLsp";

export function toServerSettings(read: SettingReader): ServerSettings {
  const settings: ServerSettings = {};
  for (const [field, key] of Object.entries(SERVER_FIELDS) as [keyof typeof SERVER_FIELDS, string][]) {
    const value = read(key);
    // Unset fields are left to the server's defaults instead of being guessed here.
    if (value !== undefined && value !== null) {
      settings[field] = value;
    }
  }
  return settings;
}

/** Payload of `workspace/didChangeConfiguration`, shaped as the contract asks. */
export function toDidChangeConfigurationParams(read: SettingReader): { settings: Record<string, ServerSettings> } {
  return { settings: { [SERVER_SECTION]: toServerSettings(read) } };
}

/** True when a change to `fim-lsp.*` needs a new server process rather than a settings update. */
export function needsRestart(affects: (key: string) => boolean): boolean {
  return RESTART_SETTINGS.some((key) => affects(`fim-lsp.${key}`));
}
