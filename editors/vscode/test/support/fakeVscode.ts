/**
 * A small stand-in for the `vscode` module, enough for the extension's modules and for
 * vscode-languageclient's converters and client to load and run in plain Node.
 * Tests read and drive it through `fake`.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

type Listener<T> = (event: T) => unknown;

export class Disposable {
  constructor(private readonly callOnDispose: () => unknown = () => undefined) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((item) => item.dispose()));
  }
  dispose(): void {
    this.callOnDispose();
  }
}

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
  };
  fire(value: T): void {
    this.listeners.forEach((listener) => listener(value));
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    this.start = typeof a === "number" ? new Position(a, b as number) : a;
    this.end = typeof a === "number" ? new Position(c as number, d as number) : (b as Position);
  }
}

export class Uri {
  private constructor(private readonly value: string) {}
  static parse(value: string): Uri {
    return new Uri(value);
  }
  static file(path: string): Uri {
    return new Uri(`file://${path}`);
  }
  get fsPath(): string {
    return this.value.replace(/^file:\/\//, "");
  }
  get scheme(): string {
    return this.value.split(":")[0];
  }
  toString(): string {
    return this.value;
  }
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class SnippetString {
  constructor(readonly value: string) {}
}

export class InlineCompletionItem {
  constructor(
    readonly insertText: string | SnippetString,
    readonly range?: Range,
    readonly command?: { title: string; command: string; arguments?: unknown[] },
  ) {}
  filterText?: string;
}

export class InlineCompletionList {
  constructor(readonly items: InlineCompletionItem[]) {}
}

export class CancellationError extends Error {}

export class CancellationTokenSource {
  private readonly emitter = new EventEmitter<void>();
  readonly token = {
    isCancellationRequested: false,
    onCancellationRequested: this.emitter.event,
  };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {}
}

export enum InlineCompletionTriggerKind {
  Invoke = 0,
  Automatic = 1,
}
export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}
export enum ConfigurationTarget {
  Global = 1,
  Workspace = 2,
  WorkspaceFolder = 3,
}
export enum LogLevel {
  Off = 0,
  Trace = 1,
  Debug = 2,
  Info = 3,
  Warning = 4,
  Error = 5,
}

/** Everything a test can inspect or script. */
export const fake = {
  /** `fim-lsp.*` values by scope; `get` reads workspace over global over package.json defaults. */
  globalSettings: new Map<string, unknown>(),
  workspaceSettings: new Map<string, unknown>(),
  defaults: new Map<string, unknown>(),
  configurationChanged: new EventEmitter<{ affectsConfiguration(section: string): boolean }>(),
  commands: new Map<string, (...args: any[]) => unknown>(),
  executed: [] as { command: string; args: unknown[] }[],
  messages: [] as { level: string; text: string; items: unknown[] }[],
  /** Answers for the next message boxes / input boxes, in order. */
  messageAnswers: [] as (string | undefined)[],
  inputAnswers: [] as (string | undefined)[],
  inputOptions: [] as any[],
  statusBarItems: [] as any[],
  outputLines: [] as string[],
  inlineProviders: [] as { selector: unknown; provider: any }[],
  reset(): void {
    this.globalSettings.clear();
    this.workspaceSettings.clear();
    this.commands.clear();
    this.executed.length = 0;
    this.messages.length = 0;
    this.messageAnswers.length = 0;
    this.inputAnswers.length = 0;
    this.inputOptions.length = 0;
    this.statusBarItems.length = 0;
    this.outputLines.length = 0;
    this.inlineProviders.length = 0;
  },
};

function settingValue(section: string, key: string): unknown {
  const full = section ? `${section}.${key}` : key;
  for (const source of [fake.workspaceSettings, fake.globalSettings, fake.defaults]) {
    if (source.has(full)) {
      return source.get(full);
    }
  }
  return undefined;
}

const event = (): ((listener: unknown) => Disposable) => () => new Disposable();

export const workspace = {
  workspaceFolders: undefined,
  textDocuments: [] as unknown[],
  notebookDocuments: [] as unknown[],
  getConfiguration(section = "") {
    return {
      get: <T>(key: string, fallback?: T): T | undefined => (settingValue(section, key) as T | undefined) ?? fallback,
      has: (key: string) => settingValue(section, key) !== undefined,
      inspect: (key: string) => ({
        key: `${section}.${key}`,
        defaultValue: fake.defaults.get(`${section}.${key}`),
        globalValue: fake.globalSettings.get(`${section}.${key}`),
        workspaceValue: fake.workspaceSettings.get(`${section}.${key}`),
        workspaceFolderValue: undefined,
      }),
      update: async (key: string, value: unknown, target: ConfigurationTarget) => {
        const full = `${section}.${key}`;
        (target === ConfigurationTarget.Global ? fake.globalSettings : fake.workspaceSettings).set(full, value);
        fake.configurationChanged.fire({ affectsConfiguration: (s: string) => full === s || full.startsWith(`${s}.`) });
      },
    };
  },
  onDidChangeConfiguration: fake.configurationChanged.event,
  onDidOpenTextDocument: event(),
  onDidChangeTextDocument: event(),
  onDidCloseTextDocument: event(),
  onDidSaveTextDocument: event(),
  onWillSaveTextDocument: event(),
  onDidChangeWorkspaceFolders: event(),
  onDidOpenNotebookDocument: event(),
  onDidChangeNotebookDocument: event(),
  onDidCloseNotebookDocument: event(),
  onDidSaveNotebookDocument: event(),
  onDidCreateFiles: event(),
  onDidRenameFiles: event(),
  onDidDeleteFiles: event(),
  onWillCreateFiles: event(),
  onWillRenameFiles: event(),
  onWillDeleteFiles: event(),
  openTextDocument: async (options: unknown) => options,
  registerTextDocumentContentProvider: () => ({ dispose() {} }),
  createFileSystemWatcher: () => ({ onDidCreate: event(), onDidChange: event(), onDidDelete: event(), dispose() {} }),
};

function showMessage(level: string) {
  return async (text: string, ...items: unknown[]) => {
    fake.messages.push({ level, text, items });
    return fake.messageAnswers.shift();
  };
}

function outputChannel(name: string) {
  const line = (text: string) => fake.outputLines.push(`[${name}] ${text}`);
  return {
    name,
    logLevel: LogLevel.Info,
    onDidChangeLogLevel: event(),
    append: line,
    appendLine: line,
    replace: line,
    trace: line,
    debug: line,
    info: line,
    warn: line,
    error: (value: string | Error) => line(String(value)),
    clear() {},
    show() {},
    hide() {},
    dispose() {},
  };
}

export const window = {
  activeTextEditor: undefined,
  visibleTextEditors: [] as unknown[],
  onDidChangeActiveTextEditor: event(),
  onDidChangeVisibleTextEditors: event(),
  tabGroups: { all: [] as unknown[], onDidChangeTabs: event(), onDidChangeTabGroups: event() },
  createOutputChannel: (name: string) => outputChannel(name),
  createStatusBarItem(id?: string, alignment?: StatusBarAlignment, priority?: number) {
    const item = { id, alignment, priority, text: "", tooltip: "", command: "", backgroundColor: undefined, name: "", visible: false, show() { this.visible = true; }, hide() { this.visible = false; }, dispose() {} };
    fake.statusBarItems.push(item);
    return item;
  },
  showErrorMessage: showMessage("error"),
  showWarningMessage: showMessage("warning"),
  showInformationMessage: showMessage("info"),
  showInputBox: async (options: unknown) => {
    fake.inputOptions.push(options);
    return fake.inputAnswers.shift();
  },
  showTextDocument: async () => undefined,
  withProgress: async (_options: unknown, task: (progress: unknown, token: unknown) => unknown) =>
    task({ report() {} }, new CancellationTokenSource().token),
};

export const commands = {
  registerCommand(id: string, run: (...args: any[]) => unknown): Disposable {
    if (fake.commands.has(id)) {
      throw new Error(`command '${id}' already exists`);
    }
    fake.commands.set(id, run);
    return new Disposable(() => fake.commands.delete(id));
  },
  async executeCommand(id: string, ...args: unknown[]): Promise<unknown> {
    fake.executed.push({ command: id, args });
    return fake.commands.get(id)?.(...args);
  },
};

export const languages = {
  registerInlineCompletionItemProvider(selector: unknown, provider: unknown): Disposable {
    const entry = { selector, provider };
    fake.inlineProviders.push(entry);
    return new Disposable(() => fake.inlineProviders.splice(fake.inlineProviders.indexOf(entry), 1));
  },
  match: () => 10,
  createDiagnosticCollection: () => ({ set() {}, delete() {}, clear() {}, dispose() {} }),
};

export const extensions = {
  getExtension: (): undefined => undefined,
  all: [] as unknown[],
};

export const env = {
  appName: "Fake Code",
  language: "en",
  machineId: "fake",
  openExternal: async () => true,
};

export const version = "1.91.0";

/** Base classes vscode-languageclient extends at load time; their behaviour is not used here. */
export class CallHierarchyItem {}
export class CodeLens {}
export class CompletionItem {}
export class DocumentLink {}
export class InlayHint {}
export class SymbolInformation {}
export class TypeHierarchyItem {}
export class CodeAction {}
export class Diagnostic {}
