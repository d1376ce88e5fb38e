/**
 * Decides how to start the server: a configured command, or the server bundled in the .vsix
 * run on the first usable Python. No `vscode` import, so it tests without fakes.
 */
import * as path from "node:path";
import type { Credentials } from "./apiKeys";

export const MIN_PYTHON: PythonVersion = { major: 3, minor: 10 };

export interface PythonVersion {
  major: number;
  minor: number;
}

/** Asks an interpreter for its version; undefined when it cannot be run. */
export type PythonProbe = (command: string) => Promise<PythonVersion | undefined>;

export interface ServerLaunch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export type LaunchResolution =
  | { ok: true; launch: ServerLaunch; description: string }
  | { ok: false; message: string };

export interface LaunchInputs {
  /** `fim-lsp.server.command`; empty means "use the bundled server". */
  configuredCommand: readonly string[];
  /** Interpreters to try in order (the Python extension's choice first, then PATH names). */
  pythonCandidates: readonly string[];
  bundledLibs: string;
  logLevel: string;
  /** The provider in use and its stored keys (empty when none are stored). */
  provider: string;
  credentials: Credentials;
  baseEnv: NodeJS.ProcessEnv;
  probe: PythonProbe;
}

/** Interpreter names tried after the Python extension's choice. */
export function pathPythonNames(platform: NodeJS.Platform): string[] {
  return platform === "win32" ? ["python", "py"] : ["python3", "python"];
}

export function isSupported(version: PythonVersion): boolean {
  return version.major > MIN_PYTHON.major || (version.major === MIN_PYTHON.major && version.minor >= MIN_PYTHON.minor);
}

/**
 * The server's environment. The keys go here rather than into initializationOptions so that
 * they never appear in an LSP trace or on disk. The provider goes with a stored key because
 * the server drops a key when the provider changes after start-up.
 */
export function serverEnvironment(
  baseEnv: NodeJS.ProcessEnv,
  provider: string,
  credentials: Credentials,
  pythonPathPrefix?: string,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...baseEnv };
  if (credentials.apiKey) {
    env.FIM_LSP_PROVIDER = provider;
    env.FIM_LSP_API_KEY = credentials.apiKey;
  }
  if (credentials.secretKey) {
    env.FIM_LSP_SECRET_KEY = credentials.secretKey;
  }
  if (pythonPathPrefix) {
    env.PYTHONPATH = baseEnv.PYTHONPATH ? `${pythonPathPrefix}${path.delimiter}${baseEnv.PYTHONPATH}` : pythonPathPrefix;
  }
  return env;
}

export async function resolveServerLaunch(inputs: LaunchInputs): Promise<LaunchResolution> {
  const logArgs = ["--log-level", inputs.logLevel];
  if (inputs.configuredCommand.length > 0) {
    const [command, ...args] = inputs.configuredCommand;
    return {
      ok: true,
      launch: { command, args: [...args, ...logArgs], env: serverEnvironment(inputs.baseEnv, inputs.provider, inputs.credentials) },
      description: `configured command: ${inputs.configuredCommand.join(" ")}`,
    };
  }
  const tried: string[] = [];
  for (const python of unique(inputs.pythonCandidates)) {
    const version = await inputs.probe(python);
    if (version === undefined) {
      tried.push(`${python} (not found)`);
      continue;
    }
    if (!isSupported(version)) {
      tried.push(`${python} (${version.major}.${version.minor})`);
      continue;
    }
    return {
      ok: true,
      launch: {
        command: python,
        args: ["-m", "fim_lsp", ...logArgs],
        env: serverEnvironment(inputs.baseEnv, inputs.provider, inputs.credentials, inputs.bundledLibs),
      },
      description: `bundled server on ${python} ${version.major}.${version.minor}`,
    };
  }
  return { ok: false, message: noPythonMessage(tried) };
}

export function noPythonMessage(tried: readonly string[]): string {
  const needed = `${MIN_PYTHON.major}.${MIN_PYTHON.minor}`;
  return (
    `fim-lsp needs Python ${needed} or newer to run its language server, and found none` +
    (tried.length > 0 ? ` (tried ${tried.join(", ")})` : "") +
    `. Install Python ${needed}+ and select it with "Python: Select Interpreter", ` +
    `or set "fim-lsp.server.command" to a command that starts fim-lsp.`
  );
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.filter((value) => value.length > 0))];
}
