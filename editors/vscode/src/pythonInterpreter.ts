/** The interpreter chosen in the Python extension, when it is installed. */
import * as vscode from "vscode";

/** The parts of the Python extension's API used here (old and new shapes). */
interface PythonExtensionApi {
  environments?: { getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined };
  settings?: { getExecutionDetails(resource?: vscode.Uri): { execCommand: string[] | undefined } };
}

export async function pythonExtensionInterpreter(): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
  if (!extension) {
    return undefined;
  }
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    return (
      api.environments?.getActiveEnvironmentPath(resource)?.path ??
      api.settings?.getExecutionDetails(resource)?.execCommand?.[0]
    );
  } catch {
    // A broken Python extension must not stop completions: fall back to PATH.
    return undefined;
  }
}
