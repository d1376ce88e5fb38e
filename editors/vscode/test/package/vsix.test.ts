/**
 * Checks the packaged .vsix: the bundled server is inside and runs without site-packages,
 * and nothing that should stay out (node_modules, sources, compiled Python, secrets) got in.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import * as path from "node:path";
import { before, test } from "node:test";
import * as yauzl from "yauzl";

const root = path.resolve(__dirname, "..", "..", "..");
const vsix = path.join(root, "fim-lsp.vsix");
const MAX_BYTES = 5 * 1024 * 1024;
const PYTHON = process.env.FIM_LSP_PYTHON ?? "python3";
/** Shapes of API keys of the providers in reach; a match means a key was packaged. */
const KEY_PATTERNS = [/sk-[A-Za-z0-9]{20,}/, /DASHSCOPE_API_KEY\s*=\s*\S{8,}/];

const entries = new Map<string, Buffer>();

function readZip(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const found = new Map<string, Buffer>();
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) {
        return reject(error);
      }
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) {
            return reject(streamError);
          }
          const chunks: Buffer[] = [];
          stream.on("data", (chunk: Buffer) => chunks.push(chunk));
          stream.on("end", () => {
            found.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on("end", () => resolve(found));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

before(async () => {
  for (const [name, data] of await readZip(vsix)) {
    entries.set(name, data);
  }
});

test("size is reported and stays small", (t) => {
  const bytes = statSync(vsix).size;
  const unpacked = [...entries.values()].reduce((sum, data) => sum + data.length, 0);
  t.diagnostic(`fim-lsp.vsix: ${(bytes / 1024).toFixed(0)} KiB, ${entries.size} files, ${(unpacked / 1024).toFixed(0)} KiB unpacked`);
  assert.ok(bytes < MAX_BYTES, `${bytes} bytes`);
});

test("the extension bundle and the server are inside", () => {
  for (const name of [
    "extension/package.json",
    "extension/dist/extension.js",
    "extension/LICENSE.txt",
    "extension/bundled/libs/fim_lsp/__main__.py",
    "extension/bundled/libs/fim_lsp/server.py",
  ]) {
    assert.ok(entries.has(name), `${name} is missing`);
  }
});

/** Distribution names as PEP 503 normalizes them (dist-info folders use `_`, pyproject `-`). */
const normalized = (name: string): string => name.replace(/[-_.]+/g, "-").toLowerCase();
const requirements = (...args: string[]): string[] =>
  execFileSync(PYTHON, [path.join(root, "scripts", "bundled_requirements.py"), ...args], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
/** The distributions in the .vsix, by their dist-info folders. */
function bundledDistributions(): Set<string> {
  const names = [...entries.keys()].flatMap((name) => /^extension\/bundled\/libs\/([^/]+)-[^-/]+\.dist-info\/METADATA$/.exec(name)?.[1] ?? []);
  return new Set(names.map(normalized));
}

test("the server's dependencies from pyproject.toml are inside, less only fim-lsp eval's", () => {
  const inside = bundledDistributions();
  for (const requirement of requirements()) {
    const name = normalized(/^[A-Za-z0-9._-]+/.exec(requirement)![0]);
    assert.ok(inside.has(name), `${name} (pyproject.toml) is not in the .vsix`);
  }
  for (const name of requirements("--left-out")) {
    assert.ok(!inside.has(normalized(name)), `${name} is bundled, though only fim-lsp eval imports it`);
  }
});

test("nothing a bundled package needs on Python 3.10 is missing", () => {
  assert.deepEqual(requirements("--missing", path.join(root, "bundled", "libs")), []);
});

test("no node_modules, sources, tests, compiled Python, tiktoken or caches", () => {
  const unwanted = [/\/node_modules\//, /^extension\/(src|test|out|scripts)\//, /\.ts$/, /\.(so|pyd|pyc)$/, /__pycache__/, /tiktoken/, /\.vsix$/];
  const offenders = [...entries.keys()].filter((name) => unwanted.some((pattern) => pattern.test(name)));
  assert.deepEqual(offenders, []);
});

test("no secrets: no .env files and nothing shaped like an API key", () => {
  const offenders: string[] = [];
  for (const [name, data] of entries) {
    if (/(^|\/)\.env/.test(name) || KEY_PATTERNS.some((pattern) => pattern.test(data.toString("latin1")))) {
      offenders.push(name);
    }
  }
  assert.deepEqual(offenders, []);
});

test("the bundled server imports with no site-packages at all", () => {
  const libs = path.join(root, "bundled", "libs");
  const output = execFileSync("python3", ["-S", "-c", "import fim_lsp.server, fim_lsp.cli; print('ok')"], {
    env: { ...process.env, PYTHONPATH: libs },
    encoding: "utf8",
  });
  assert.equal(output.trim(), "ok");
});
