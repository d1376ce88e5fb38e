/**
 * Loaded with `node --require`: makes `require("vscode")` return the fake. Names the fake does
 * not define resolve to a forgiving stand-in, so vscode-languageclient loads whole even where
 * it touches API that no test exercises.
 */
import Module from "node:module";
import * as path from "node:path";

const fakePath = path.join(__dirname, "fakeVscode.js");
const moduleWithResolver = Module as unknown as {
  _resolveFilename(request: string, ...rest: unknown[]): string;
};
const resolve = moduleWithResolver._resolveFilename;
moduleWithResolver._resolveFilename = function (request: string, ...rest: unknown[]): string {
  return request === "vscode" ? fakePath : resolve.call(this, request, ...rest);
};

/** Callable, constructible, and every property is itself; `then` is absent so it is no promise. */
const anything: unknown = new Proxy(function () {}, {
  get: (_target, property) => (property === "then" || property === Symbol.toPrimitive ? undefined : anything),
  apply: () => anything,
  construct: () => anything as object,
});

// Load the fake once and wrap its exports before anything else requires it.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- must run before any import of "vscode"
require(fakePath);
const cached = require.cache[fakePath];
if (cached) {
  const exports = cached.exports as Record<string | symbol, unknown>;
  cached.exports = new Proxy(exports, {
    get: (target, property) => (property in target ? target[property] : anything),
  });
}
