import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { SuggestionReady, TRIGGER_INLINE_SUGGEST, type SuggestionReadyParams } from "../../src/suggestionReady";
import { CancellationTokenSource, InlineCompletionItem, InlineCompletionTriggerKind, Position, Uri, fake, window } from "../support/fakeVscode";

/* eslint-disable @typescript-eslint/no-explicit-any */
const URI = "file:///work/slow.py";
const document = { uri: Uri.parse(URI), version: 4 };
const ready: SuggestionReadyParams = { textDocument: { uri: URI, version: 4 }, position: { line: 2, character: 17 } };

function putCursor(line: number, character: number, version = 4, empty = true): void {
  const at = new Position(line, character);
  (window as any).activeTextEditor = { document: { ...document, version }, selection: { active: at, isEmpty: empty } };
}

/** VS Code asking through the middleware; resolves to the trigger kind the server got. */
async function ask(suggestions: SuggestionReady, triggerKind: InlineCompletionTriggerKind, items: unknown[] = [], cancel = false) {
  const source = new CancellationTokenSource();
  let sent: InlineCompletionTriggerKind | undefined;
  await (suggestions.middleware.provideInlineCompletionItems as any)(document, new Position(2, 17), { triggerKind, selectedCompletionInfo: undefined }, source.token, async (_d: any, _p: any, context: any) => {
    sent = context.triggerKind;
    if (cancel) source.cancel();
    return items;
  });
  return sent;
}

function triggers(): number {
  return fake.executed.filter((call) => call.command === TRIGGER_INLINE_SUGGEST).length;
}

beforeEach(() => fake.reset());

test("declares the capability in initialize", () => {
  const capabilities: any = { experimental: { other: 1 } };
  new SuggestionReady().feature.fillClientCapabilities(capabilities);
  assert.deepEqual(capabilities.experimental, { other: 1, fimLsp: { suggestionReady: true } });
});

test("asks VS Code again where the user still is, and that request goes as automatic", async () => {
  const suggestions = new SuggestionReady();
  putCursor(2, 17);
  assert.equal(await ask(suggestions, InlineCompletionTriggerKind.Automatic, [], true), InlineCompletionTriggerKind.Automatic);

  assert.equal(await suggestions.ready(ready), true);

  assert.equal(triggers(), 1);
  assert.equal(await ask(suggestions, InlineCompletionTriggerKind.Invoke), InlineCompletionTriggerKind.Automatic);
  assert.equal(await ask(suggestions, InlineCompletionTriggerKind.Invoke), InlineCompletionTriggerKind.Invoke); // the user's own
});

test("does not ask when the user moved, typed, selected or left the document", async () => {
  const suggestions = new SuggestionReady();
  for (const [line, character, version, empty] of [
    [2, 16, 4, true],
    [2, 17, 5, true],
    [2, 17, 4, false],
  ] as const) {
    putCursor(line, character, version, empty);
    assert.equal(await suggestions.ready(ready), false);
  }
  (window as any).activeTextEditor = undefined;
  assert.equal(await suggestions.ready(ready), false);
  assert.equal(await suggestions.ready({ ...ready, textDocument: { uri: "file:///work/other.py", version: 4 } }), false);
  assert.equal(triggers(), 0);
});

test("does not ask while a ghost text is shown there", async () => {
  const suggestions = new SuggestionReady();
  putCursor(2, 17);
  await ask(suggestions, InlineCompletionTriggerKind.Automatic, [new InlineCompletionItem("actor")]);

  assert.equal(await suggestions.ready(ready), false);

  await ask(suggestions, InlineCompletionTriggerKind.Automatic, []); // now nothing is shown
  assert.equal(await suggestions.ready(ready), true);
});
