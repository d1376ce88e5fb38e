/** Runs an interpreter once to learn its version. No `vscode` import. */
import { execFile } from "node:child_process";
import type { PythonVersion } from "./serverLaunch";

const VERSION_SCRIPT = 'import sys; print("%d.%d" % sys.version_info[:2])';

export function probePython(command: string, timeoutMs = 10_000): Promise<PythonVersion | undefined> {
  return new Promise((resolve) => {
    execFile(command, ["-c", VERSION_SCRIPT], { timeout: timeoutMs, windowsHide: true }, (error, stdout) => {
      resolve(error ? undefined : parsePythonVersion(stdout));
    });
  });
}

export function parsePythonVersion(output: string): PythonVersion | undefined {
  const match = /^(\d+)\.(\d+)\s*$/.exec(output.trim());
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}
