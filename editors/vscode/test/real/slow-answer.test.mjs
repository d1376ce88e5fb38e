// A slow model in a real VS Code: the answer comes after VS Code has given up on the request.
// VS Code cancels ~740 ms after the last key. Where its suggest widget opens, it asks again for
// the widget's item applied, 50-250 ms later; where none opens, it never asks again. The server
// keeps the answer for the state the user is still in: the widget's request is answered from
// it, and where there is none the server tells the extension (fimLsp/suggestionReady), which
// asks VS Code again. Either way the ghost text appears without another key, from one
// upstream request. Prints the time from the last key to the ghost text of each.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startEditor } from "./codeServer.mjs";

// Later than VS Code's cancel (~740 ms after the last key), and sooner than the 1 s after which
// the engine takes a request with no chunk for hung when the model's first chunks usually
// come at once (the fake answers every other prompt at once): the widget's request then comes
// while it is answering, and adopts it, or after the answer is in, and is served from it.
const SLOW_S = 0.9;
let editor;

before(async () => {
  editor = await startEditor({
    files: {
      "widget.py": "def scaled(items, factor):\n    \n",
      "quiet.py": "def scaled(items, factor):\n    \n",
    },
    answers: {
      // Only the last letter starts a word of the file, so the suggest widget opens after it.
      "    return [x * f": { text: "actor for x in items]", first_delay: SLOW_S },
      // The last letter starts no word of the file: VS Code looks for one, and opens no widget.
      "    return factor * z": { text: "ero", first_delay: SLOW_S },
    },
  });
});

after(async () => {
  await editor?.close();
});

/** Type `typed` in `name`'s empty second line and wait for the slow ghost text to make `line`. */
async function slowGhost(name, typed, line) {
  try {
    await editor.open(name, 2, 5);
    await editor.type(typed);
    const stopped = Date.now();
    await editor.waitUntil(() => editor.drawnLine(), (drawn) => drawn === line, 10_000, "the slow ghost text");
    console.log(`${name}: slow answer (${SLOW_S} s) on screen ${Date.now() - stopped} ms after the last key`);
    return editor.fake.requests().map((request) => request.body.prompt.split("<|fim_suffix|>")[0]);
  } catch (error) {
    const file = await editor.screenshot(`slow-answer-${name}`);
    const asked = editor.fake.requests().map((request) => request.body.prompt.split("<|fim_suffix|>")[0].slice(-20));
    error.message += `\nscreenshot: ${file}\nprefixes asked: ${JSON.stringify(asked)}`;
    throw error;
  }
}

test("a slow answer appears without another key where VS Code's suggest widget opened", async () => {
  const prefixes = await slowGhost("widget.py", "return [x * f", "    return [x * factor for x in items]");
  assert.equal(prefixes.filter((prefix) => prefix.endsWith("    return [x * f")).length, 1);
  // The suggest widget's request (its item "factor" applied) was answered from that answer.
  assert.ok(!prefixes.some((prefix) => prefix.endsWith("    return [x * factor")), "asked the model again");
});

test("a slow answer appears without another key where no suggest widget opened", async () => {
  const prefixes = await slowGhost("quiet.py", "return factor * z", "    return factor * zero");
  assert.equal(prefixes.filter((prefix) => prefix.endsWith("    return factor * z")).length, 1);
});
