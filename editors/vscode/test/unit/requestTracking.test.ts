import assert from "node:assert/strict";
import { test } from "node:test";
import { requestTracking } from "../../src/requestTracking";
import { StatusModel } from "../../src/status";
import { CancellationTokenSource, InlineCompletionItem, InlineCompletionTriggerKind, Position } from "../support/fakeVscode";

/* eslint-disable @typescript-eslint/no-explicit-any */
function call(status: StatusModel, next: (token: any) => Promise<unknown>, cancel = false) {
  const middleware = requestTracking(status);
  const source = new CancellationTokenSource();
  if (cancel) {
    source.cancel();
  }
  const context = { triggerKind: InlineCompletionTriggerKind.Automatic, selectedCompletionInfo: undefined };
  return (middleware.provideInlineCompletionItems as any)({}, new Position(0, 0), context, source.token, (_d: any, _p: any, _c: any, token: any) =>
    next(token),
  );
}

test("the spinner shows while the request runs and the answer passes through", async () => {
  const status = new StatusModel();
  status.serverStarted();
  let seenDuring = "";
  const items = [new InlineCompletionItem("x")];
  const result = await call(status, async () => {
    seenDuring = status.view.kind;
    return items;
  });
  assert.equal(seenDuring, "fetching");
  assert.equal(result, items);
  assert.equal(status.view.kind, "ready");
});

test("a failed request turns the item red and still rejects", async () => {
  const status = new StatusModel();
  status.serverStarted();
  await assert.rejects(call(status, async () => Promise.reject(new Error("Internal error"))), /Internal error/);
  assert.equal(status.view.kind, "error");
});

test("a cancelled request is no failure", async () => {
  const status = new StatusModel();
  status.serverStarted();
  await assert.rejects(call(status, async () => Promise.reject(new Error("Canceled")), true));
  assert.equal(status.view.kind, "ready");
});
