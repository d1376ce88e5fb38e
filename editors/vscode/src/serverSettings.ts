/**
 * The settings object the server receives (docs/CONTRACT.md), built from the extension's
 * `fim-lsp.*` settings. No `vscode` import, so it tests without fakes.
 */

/** Reads one `fim-lsp.*` setting, e.g. `read("maxTokens")`; undefined when the user has not set it. */
export type SettingReader = (key: string) => unknown;

/**
 * Contract field → extension setting key (under `fim-lsp.`). The secrets are not here: they
 * travel in the server's environment (see serverLaunch).
 */
export const SERVER_FIELDS = {
  provider: "provider",
  baseUrl: "baseUrl",
  model: "model",
  endpoint: "endpoint",
  qianfanAuth: "qianfanAuth",
  fimMode: "fimMode",
  seed: "seed",
  template: "template",
  fimPrefix: "fimPrefix",
  fimSuffix: "fimSuffix",
  fimMiddle: "fimMiddle",
  fimStop: "fimStop",
  localServers: "localServers",
  maxTokens: "maxTokens",
  temperature: "temperature",
  contextTokens: "contextTokens",
  prefixShare: "prefixShare",
  debounceMs: "debounceMs",
  maxLines: "maxLines",
  alternatives: "alternatives",
  enabled: "enable",
  disabledLanguages: "disabledLanguages",
  exclude: "exclude",
  timeoutMs: "timeoutMs",
} as const;

/** Contract fields that are secrets: kept in SecretStorage, never settings. */
export const SECRET_FIELDS = ["apiKey", "secretKey"] as const;

/**
 * Settings read from user settings only (scope `application`): they decide where code and keys go,
 * or what runs, so a workspace you open must not change them.
 */
export const USER_ONLY_SETTINGS: readonly string[] = ["provider", "baseUrl", "endpoint", "localServers", "server.command"];

export type ServerSettings = Partial<Record<keyof typeof SERVER_FIELDS, unknown>>;

/** Settings that the running server cannot take over: they change how it is started. */
export const RESTART_SETTINGS = ["provider", "server.command", "server.logLevel"] as const;

/** Section name the server looks for in `workspace/didChangeConfiguration`. */
export const SERVER_SECTION = "fimLsp";

/** The per-scope values of one setting, as `WorkspaceConfiguration.inspect` gives them. */
export interface InspectedSetting {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/**
 * The value the user set, most specific scope first; undefined when only the package.json
 * default applies, so the server's own (provider-aware) default wins instead.
 */
export function userSetValue(key: string, inspected: InspectedSetting | undefined): unknown {
  if (USER_ONLY_SETTINGS.includes(key)) {
    return inspected?.globalValue;
  }
  return inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
}

export function toServerSettings(read: SettingReader): ServerSettings {
  const settings: ServerSettings = {};
  for (const [field, key] of Object.entries(SERVER_FIELDS) as [keyof typeof SERVER_FIELDS, string][]) {
    const value = read(key);
    if (value !== undefined && value !== null) {
      settings[field] = value;
    }
  }
  return settings;
}

/** Payload of `workspace/didChangeConfiguration`, shaped as the contract asks. */
export function toDidChangeConfigurationParams(settings: ServerSettings): { settings: Record<string, ServerSettings> } {
  return { settings: { [SERVER_SECTION]: settings } };
}

/**
 * True when a field sent before is missing now, i.e. the user removed a setting. The server
 * layers each update over the last, so only a new process returns that field to its default.
 */
export function unsetsAField(previous: ServerSettings, next: ServerSettings): boolean {
  return Object.keys(previous).some((field) => !(field in next));
}

/** True when a change to `fim-lsp.*` needs a new server process rather than a settings update. */
export function needsRestart(affects: (key: string) => boolean): boolean {
  return RESTART_SETTINGS.some((key) => affects(`fim-lsp.${key}`));
}
