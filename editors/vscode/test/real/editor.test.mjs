// The extension in a real VS Code (code-server in Chromium), typed into key by key, checked on
// screen. Run by scripts/test.sh after the .vsix is packaged: `node --test test/real/`.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startEditor } from "./codeServer.mjs";

let editor;

before(async () => {
  editor = await startEditor({
    files: {
      "add.py": "def add(a, b):\n    \n",
      "sub.py": "def sub(a, b):\n    \n",
      "inf.py": "x = float()\n\n",
      ".env": "SECRET_TOKEN=abc123\n",
      ".vscode/settings.json": '{\n  "editor.fontSize": 14,\n  \n}\n',
      "app.code-workspace": '{\n  "folders": [],\n  \n}\n',
      "after.py": "import re\n\n",
      "word.py": "def span(left, right):\n    \n",
      "key.py": "def f():\n    \n",
      "later.py": "import os\n\n",
      "fail.py": "def boom():\n    \n    \n",
      "ui.py": "\n",
    },
    answers: {
      "def add(a, b):\n    return ": "a + b",
      "def sub(a, b):\n    return ": "a - b",
      "x = float(": '"inf")\nprint(x)',
      "import os\nimport ": "sys",
      "import re\nimport ": "json",
      "def span(left, right):\n    return ": "right - left",
      "    wrong = ": { status: 401, message: "Incorrect API key provided." },
      "def boom():\n    raise ": { status: 500, text: "upstream broke" },
      "    ok = ": "True",
    },
  });
});

after(async () => {
  await editor?.close();
});

/** Every prompt the provider received; a body cut short (a request cancelled while it was
 * sent) counts as the text that arrived. */
function sentPrompts() {
  return editor.fake.requests().map((request) => request.body.prompt ?? request.body._unparsed ?? "");
}

/** The input's value once the Settings UI has saved and redrawn it: unchanged for a second. */
async function settledValue(input) {
  let value = await input.inputValue();
  for (let still = 0; still < 1_000; still += 100) {
    await editor.page.waitForTimeout(100);
    const now = await input.inputValue();
    if (now !== value) [value, still] = [now, 0];
  }
  return value;
}

/** Run `body`; on failure keep a screenshot (out/real-screenshots/) and name it in the error. */
async function onScreen(name, body) {
  try {
    await body();
  } catch (error) {
    const file = await editor.screenshot(name);
    error.message += `\nscreenshot: ${file}`;
    throw error;
  }
}

test("ghost text appears while typing, and Tab accepts it", () =>
  onScreen("ghost-and-tab", async () => {
    await editor.open("add.py", 2, 5);
    await editor.typeUntilGhost("return ", "a + b");
    assert.equal(await editor.drawnLine(), "    return a + b");
    assert.equal(await editor.documentLine(2), "    return a + b"); // drawn, not yet text
    await editor.press("Tab");
    await editor.waitGhost("");
    assert.equal(await editor.documentLine(2), "    return a + b");
  }));

test("typing through the ghost keeps its rest, with no new model request", () =>
  onScreen("type-through", async () => {
    await editor.open("sub.py", 2, 5);
    await editor.typeUntilGhost("return ", "a - b");
    const asked = editor.fake.requests().length;
    await editor.type("a -");
    await editor.waitGhost(" b");
    assert.equal(await editor.drawnLine(), "    return a - b");
    assert.equal(editor.fake.requests().length, asked);
  }));

test("a multi-line suggestion before ')' draws and inserts it once", () =>
  onScreen("closer", async () => {
    await editor.open("inf.py", 1, 11);
    await editor.untilGhost('"inf"\nprint(x)', async () => {
      await editor.type("i");
      await editor.press("Backspace");
    });
    assert.equal(await editor.drawnLine(), 'x = float("inf")');
    await editor.press("Tab");
    await editor.waitGhost("");
    assert.equal(await editor.documentLine(1), 'x = float("inf")');
    assert.equal(await editor.documentLine(2), "print(x)");
  }));

/**
 * Type `text` into each of `files` ([name, line, column, text]), then `typed` into the empty
 * second line of `probe` ([name, its first line]) until the ghost text `ghost` shows: that
 * request arrived, and had one of those files been sent it would have come first. No prompt
 * may match `secret`.
 */
async function neverSent(files, secret, [name, firstLine, typed, ghost]) {
  for (const [file, line, column, text] of files) {
    await editor.open(file, line, column);
    await editor.type(text);
  }
  await editor.open(name, 2, 1);
  await editor.typeUntilGhost(typed, ghost);
  const prompts = sentPrompts();
  assert.ok(prompts.some((prompt) => prompt.includes(firstLine)), `no request from ${name}`);
  assert.ok(!prompts.some((prompt) => secret.test(prompt)), `a line matching ${secret} reached the provider`);
}

test("a .env file is never sent to the provider", () =>
  onScreen("dotenv", () => neverSent([[".env", 2, 1, "OTHER_TOKEN=xyz\n"]], /SECRET_TOKEN|OTHER_TOKEN/, ["later.py", "import os", "import ", "sys"])));

test("VS Code's settings.json and .code-workspace files are never sent to the provider", () =>
  onScreen("editor-config", () =>
    neverSent(
      [
        [".vscode/settings.json", 3, 3, '"editor.tabSize": '],
        ["app.code-workspace", 3, 3, '"editor.tabSize": '],
      ],
      /editor\.(fontSize|tabSize)|"folders"/,
      ["after.py", "import re", "import ", "json"],
    ),
  ));

test("Ctrl+Right takes the next word of the ghost text, and the server counts a partial accept", () =>
  onScreen("partial-accept", async () => {
    await editor.open("word.py", 2, 5);
    await editor.typeUntilGhost("return ", "right - left");
    await editor.press("Control+ArrowRight");
    const rest = await editor.waitGhost((text) => text !== "" && "right - left".endsWith(text) && text !== "right - left");
    assert.equal(await editor.documentLine(2), "    return right - left"); // the word is text now, the rest drawn
    await editor.command("fim-lsp: Show Stats");
    const statsLine = async () => (await Promise.all(Array.from({ length: 20 }, (_, n) => editor.documentLine(n + 1)))).find((line) => /"partiallyAccepted"/.test(line));
    const stats = await editor.waitUntil(statsLine, Boolean, 15_000, "the stats view");
    assert.match(stats, /"partiallyAccepted": 1,/, `after Ctrl+Right, with "${rest}" left`);
    await editor.press("Control+W");
  }));

test("the status bar shows a failing endpoint, with the reason, until an answer works", () =>
  onScreen("status-error", async () => {
    await editor.open("fail.py", 2, 5);
    await editor.type("raise ");
    const failed = await editor.waitStatus(/fim-lsp: .*500/);
    assert.doesNotMatch(failed.label, /ready/);
    await editor.goTo(3, 5);
    await editor.typeUntilGhost("ok = ", "True");
    await editor.waitStatus(/fim-lsp: ready/);
  }));

test("Show Stats opens a read-only view, not an unsaved document", () =>
  onScreen("stats", async () => {
    await editor.waitStatus(/fim-lsp: ready/);
    await editor.command("fim-lsp: Show Stats");
    const tab = editor.page.locator(".tab.active");
    await editor.waitUntil(() => tab.getAttribute("aria-label"), (label) => /stats/i.test(label ?? ""), 15_000, "the stats tab");
    assert.doesNotMatch((await tab.getAttribute("aria-label")) ?? "", /Untitled/);
    assert.equal(await editor.page.locator(".tab.active.dirty").count(), 0); // nothing to save
    assert.match(await editor.documentLine(2), /"requests": \d+/);
  }));

test("a user-only setting changed in the Settings UI reaches the server", () =>
  onScreen("settings-ui", async () => {
    const page = editor.page;
    const url = `http://127.0.0.1:${editor.fake.port}/set-in-the-ui/v1`;
    await editor.press("Control+,");
    await page.locator(".settings-editor").waitFor();
    // The User tab is open and the search box has the focus, as for anyone opening Settings.
    await page.locator(".settings-tabs-widget .action-label.checked", { hasText: "User" }).waitFor();
    await page.waitForTimeout(500); // the search box takes the focus a moment after it shows
    await editor.type("fim-lsp.baseUrl", 20);
    const input = page.locator('.setting-item-contents input[type="text"], .setting-item-contents input:not([type])').first();
    await input.waitFor({ timeout: 15_000 });
    // The Settings UI saves and redraws the field a moment after each pause in typing; on a
    // busy machine that can land between two keys and splice the old value in.  A person
    // who sees a mangled value selects it and types it again: so does this test.
    for (let attempt = 1; ; attempt++) {
      await input.click();
      await editor.press("Control+A");
      await editor.type(url, 5);
      const typed = await settledValue(input);
      if (typed === url) break;
      if (attempt === 3) assert.fail(`the field reads ${JSON.stringify(typed)} after typing ${url} three times`);
    }
    await editor.press("Enter");
    const saved = `"fim-lsp.baseUrl": ${JSON.stringify(url)}`;
    await editor.waitUntil(() => editor.userSettings(), (text) => text.includes(saved), 15_000, "the Settings UI to save");
    await editor.press("Control+W"); // close the Settings editor
    await editor.open("ui.py", 1, 1);
    const before = editor.fake.requests().length;
    await editor.type("y = ");
    await editor.waitUntil(() => editor.fake.requests().slice(before), (requests) => requests.some((r) => r.path.startsWith("/set-in-the-ui/v1")), 15_000, "a request to the URL set in the UI");
  }));

// Last: a refused key pauses completions for a while.
test("a refused key's message says how to set it in VS Code, in one sentence each", () =>
  onScreen("refused-key", async () => {
    await editor.open("key.py", 2, 5);
    await editor.type("wrong = ");
    const toast = editor.page.locator(".notification-toast", { hasText: "Check the API key" }).first();
    await toast.waitFor({ timeout: 15_000 });
    const message = (await toast.locator(".notification-list-item-message").textContent()) ?? "";
    assert.match(message, /Incorrect API key provided\. Check the API key: /);
    assert.doesNotMatch(message, /\.\./);
    assert.match(message, /fim-lsp: Set API Key/);
    assert.doesNotMatch(message, /apiKey/); // a setting VS Code has not got
    assert.equal(await toast.locator(".monaco-button", { hasText: "Set API Key" }).count(), 1);
  }));
