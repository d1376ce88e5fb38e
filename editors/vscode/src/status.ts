/**
 * What the status bar item shows. Pure state + presentation, no `vscode` import, so every
 * transition tests without fakes.
 */

export type StatusKind = "starting" | "ready" | "fetching" | "error" | "disabled";

export interface StatusView {
  kind: StatusKind;
  text: string;
  tooltip: string;
  /** Command run on click. */
  command: string;
}

/**
 * How one completion request ended. Only an answer with items proves the path works; an empty
 * answer is normal (nothing to suggest) and also what the server returns after telling the user
 * about a failure, and a cancelled request says nothing at all.
 */
export type RequestOutcome =
  | { kind: "answered" }
  | { kind: "empty" }
  | { kind: "cancelled" }
  | { kind: "failed"; message: string };

export const TOGGLE_COMMAND = "fim-lsp.toggle";
export const SHOW_LOG_COMMAND = "fim-lsp.showLog";

export class StatusModel {
  private enabled = true;
  private serverRunning = false;
  private serverError: string | undefined;
  private problem: string | undefined;
  private inFlight = 0;
  private readonly listeners: ((view: StatusView) => void)[] = [];

  onDidChange(listener: (view: StatusView) => void): void {
    this.listeners.push(listener);
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.changed();
  }

  serverStarting(): void {
    this.serverRunning = false;
    this.serverError = undefined;
    this.problem = undefined;
    this.inFlight = 0;
    this.changed();
  }

  serverStarted(): void {
    this.serverRunning = true;
    this.serverError = undefined;
    this.changed();
  }

  /** The server cannot run (no Python, crashed, did not start). */
  serverFailed(message: string): void {
    this.serverRunning = false;
    this.serverError = message;
    this.inFlight = 0;
    this.changed();
  }

  /** The server runs but completions fail (e.g. the key was rejected). */
  reportProblem(message: string): void {
    this.problem = message;
    this.changed();
  }

  /** New settings may have fixed the problem; the next request will tell. */
  clearProblem(): void {
    this.problem = undefined;
    this.changed();
  }

  /** Marks one completion request in flight; call the returned function once it settles. */
  requestStarted(): (outcome: RequestOutcome) => void {
    this.inFlight += 1;
    this.changed();
    let settled = false;
    return (outcome: RequestOutcome) => {
      if (settled) {
        return;
      }
      settled = true;
      this.inFlight = Math.max(0, this.inFlight - 1);
      if (outcome.kind === "failed") {
        this.problem = outcome.message;
      } else if (outcome.kind === "answered") {
        this.problem = undefined;
      }
      this.changed();
    };
  }

  get view(): StatusView {
    if (!this.enabled) {
      return view("disabled", "$(circle-slash) FIM", "fim-lsp: disabled — click to enable", TOGGLE_COMMAND);
    }
    if (this.serverError !== undefined) {
      return errorView(this.serverError);
    }
    if (!this.serverRunning) {
      return view("starting", "$(sync~spin) FIM", "fim-lsp: starting the server…", SHOW_LOG_COMMAND);
    }
    if (this.inFlight > 0) {
      return view("fetching", "$(loading~spin) FIM", "fim-lsp: fetching a completion…", TOGGLE_COMMAND);
    }
    if (this.problem !== undefined) {
      return errorView(this.problem);
    }
    return view("ready", "$(sparkle) FIM", "fim-lsp: ready — click to disable", TOGGLE_COMMAND);
  }

  private changed(): void {
    const current = this.view;
    for (const listener of this.listeners) {
      listener(current);
    }
  }
}

function errorView(message: string): StatusView {
  return view("error", "$(error) FIM", `fim-lsp: ${message} — click for the log`, SHOW_LOG_COMMAND);
}

function view(kind: StatusKind, text: string, tooltip: string, command: string): StatusView {
  return { kind, text, tooltip, command };
}
