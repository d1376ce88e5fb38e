import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { parsePythonVersion, probePython } from "../../src/pythonProbe";
import {
  type LaunchInputs,
  type PythonVersion,
  pathPythonNames,
  resolveServerLaunch,
  serverEnvironment,
} from "../../src/serverLaunch";

function inputs(versions: Record<string, PythonVersion | undefined>, overrides: Partial<LaunchInputs> = {}) {
  const probed: string[] = [];
  const launchInputs: LaunchInputs = {
    configuredCommand: [],
    pythonCandidates: Object.keys(versions),
    bundledLibs: "/ext/bundled/libs",
    logLevel: "info",
    provider: "dashscope",
    credentials: {},
    baseEnv: { PATH: "/usr/bin" },
    probe: async (command) => {
      probed.push(command);
      return versions[command];
    },
    ...overrides,
  };
  return { launchInputs, probed };
}

test("a configured command wins and no Python is probed", async () => {
  const { launchInputs, probed } = inputs({ python3: { major: 3, minor: 12 } }, { configuredCommand: ["fim-lsp", "--stdio"] });
  const result = await resolveServerLaunch(launchInputs);
  assert.ok(result.ok);
  assert.equal(result.launch.command, "fim-lsp");
  assert.deepEqual(result.launch.args, ["--stdio", "--log-level", "info"]);
  assert.equal(result.launch.env.PYTHONPATH, undefined);
  assert.deepEqual(probed, []);
});

test("the bundled server runs on the first Python that is 3.10 or newer", async () => {
  const { launchInputs, probed } = inputs({
    "/venv/bin/python": { major: 3, minor: 8 },
    missing: undefined,
    python3: { major: 3, minor: 11 },
    python: { major: 3, minor: 12 },
  });
  const result = await resolveServerLaunch(launchInputs);
  assert.ok(result.ok);
  assert.equal(result.launch.command, "python3");
  assert.deepEqual(result.launch.args, ["-m", "fim_lsp", "--log-level", "info"]);
  assert.equal(result.launch.env.PYTHONPATH, "/ext/bundled/libs");
  assert.deepEqual(probed, ["/venv/bin/python", "missing", "python3"]);
});

test("an empty or repeated candidate is probed once at most", async () => {
  const { launchInputs, probed } = inputs({}, { pythonCandidates: ["", "python3", "python3"] });
  await resolveServerLaunch(launchInputs);
  assert.deepEqual(probed, ["python3"]);
});

test("no usable Python gives one message that says what was tried and what to do", async () => {
  const { launchInputs } = inputs({ "/old/python": { major: 3, minor: 9 }, python3: undefined });
  const result = await resolveServerLaunch(launchInputs);
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.match(result.message, /Python 3\.10 or newer/);
  assert.match(result.message, /\/old\/python \(3\.9\)/);
  assert.match(result.message, /python3 \(not found\)/);
  assert.match(result.message, /fim-lsp\.server\.command/);
});

test("the key travels in the environment and PYTHONPATH keeps the user's entries", () => {
  const env = serverEnvironment({ PYTHONPATH: "/mine", HOME: "/home/u" }, "dashscope", { apiKey: "sk-test" }, "/ext/libs");
  assert.equal(env.FIM_LSP_API_KEY, "sk-test");
  assert.equal(env.FIM_LSP_SECRET_KEY, undefined);
  assert.equal(env.PYTHONPATH, `/ext/libs${path.delimiter}/mine`);
  assert.equal(env.HOME, "/home/u");
});

test("a Qianfan AK/SK pair travels as FIM_LSP_API_KEY and FIM_LSP_SECRET_KEY, with its provider", () => {
  const env = serverEnvironment({}, "qianfan", { apiKey: "qf-ak", secretKey: "qf-sk" });
  assert.equal(env.FIM_LSP_API_KEY, "qf-ak");
  assert.equal(env.FIM_LSP_SECRET_KEY, "qf-sk");
  // The server drops a key when the provider changes after start-up, so they start together.
  assert.equal(env.FIM_LSP_PROVIDER, "qianfan");
});

test("a launch carries the stored keys, whichever way the server starts", async () => {
  const credentials = { apiKey: "qf-ak", secretKey: "qf-sk" };
  for (const overrides of [{ configuredCommand: ["fim-lsp"] }, {}]) {
    const { launchInputs } = inputs({ python3: { major: 3, minor: 12 } }, { ...overrides, provider: "qianfan", credentials });
    const result = await resolveServerLaunch(launchInputs);
    assert.ok(result.ok);
    assert.equal(result.launch.env.FIM_LSP_SECRET_KEY, "qf-sk");
  }
});

test("without a stored key the inherited environment is left alone", () => {
  const env = serverEnvironment({ DASHSCOPE_API_KEY: "from-shell", FIM_LSP_PROVIDER: "ollama" }, "dashscope", {});
  assert.equal(env.FIM_LSP_API_KEY, undefined);
  assert.equal(env.FIM_LSP_SECRET_KEY, undefined);
  assert.equal(env.FIM_LSP_PROVIDER, "ollama");
  assert.equal(env.DASHSCOPE_API_KEY, "from-shell");
});

test("PATH names follow the platform", () => {
  assert.deepEqual(pathPythonNames("linux"), ["python3", "python"]);
  assert.deepEqual(pathPythonNames("win32"), ["python", "py"]);
});

test("python versions parse from the probe's output", () => {
  assert.deepEqual(parsePythonVersion("3.11\n"), { major: 3, minor: 11 });
  assert.equal(parsePythonVersion("Python was not found"), undefined);
});

test("the real probe reads a real interpreter and survives a missing one", async () => {
  const version = await probePython(process.env.FIM_LSP_PYTHON ?? "python3");
  assert.ok(version && version.major === 3, `probe gave ${JSON.stringify(version)}`);
  assert.equal(await probePython("/nonexistent/python-for-fim-lsp-test"), undefined);
});
