"""Baidu Qianfan: token exchange and refresh, request signing, error codes, stop limits."""

from __future__ import annotations

import dataclasses

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from fim_lsp.providers.base import (
    AuthError,
    MissingKeyError,
    RateLimitError,
    RejectedError,
    TransientError,
)
from fim_lsp.providers.qianfan import QianfanCompletions, sendable_stops
from fim_lsp.providers.qianfan_auth import TOKEN_MARGIN_S
from tests.e2e.helpers import ask, open_document
from tests.providers.conftest import (
    AK,
    REQUEST,
    SK,
    client,
    collect,
    initialize,
    messages,
    reconfigure,
)
from tests.support.fake_apis import FakeQianfan, Script

PATH = "/rpc/2.0/ai_custom/v1/wenxinworkshop/completions/"


def qianfan_provider(fake: FakeQianfan, **overrides: object) -> QianfanCompletions:
    arguments: dict = {
        "base_url": fake.base_url,
        "model": "CodeLlama-7b-Instruct",
        "endpoint": "",
        "ak": AK,
        "sk": SK,
        "auth": "token",
        "timeout_s": 5.0,
        **overrides,
    }
    return QianfanCompletions(client(), **arguments)


async def test_token_is_fetched_once_and_sent_as_access_token(qianfan: FakeQianfan):
    qianfan.queue(Script(chunks=[" a", " + b"]), Script(chunks=[" c"]))
    provider = qianfan_provider(qianfan)
    try:
        first = [chunk async for chunk in provider.stream(REQUEST)]
        second = [chunk async for chunk in provider.stream(REQUEST)]
    finally:
        await provider.aclose()

    assert (first, second) == ([" a", " + b"], [" c"])
    [exchange] = qianfan.requests_to("/oauth/2.0/token")
    assert exchange.method == "POST"
    assert exchange.query == {
        "grant_type": ["client_credentials"],
        "client_id": [AK],
        "client_secret": [SK],
    }
    calls = qianfan.requests_to(PATH)
    assert [call.path for call in calls] == [PATH + "codellama_7b_instruct"] * 2
    assert [call.query for call in calls] == [{"access_token": ["24.token-1"]}] * 2
    assert calls[0].body == {
        "prompt": REQUEST.prompt,
        "stream": True,
        "temperature": 0.1,
        "top_p": 0.95,
        "stop": ["<EOT>", "<PRE>", "<SUF>"],
    }


async def test_an_expiring_token_is_renewed_before_it_dies(qianfan: FakeQianfan):
    qianfan.expires_in = int(TOKEN_MARGIN_S)  # inside the safety margin from the start
    qianfan.queue(Script(chunks=["x"]), Script(chunks=["y"]))
    provider = qianfan_provider(qianfan)
    try:
        assert [c async for c in provider.stream(REQUEST)] == ["x"]
        assert [c async for c in provider.stream(REQUEST)] == ["y"]
    finally:
        await provider.aclose()
    assert len(qianfan.requests_to("/oauth/2.0/token")) == 2
    tokens = [call.query["access_token"] for call in qianfan.requests_to(PATH)]
    assert tokens == [["24.token-1"], ["24.token-2"]]


async def test_stale_token_is_refreshed_once_then_the_request_retried(qianfan: FakeQianfan):
    qianfan.queue(Script(chunks=["first"]), Script(chunks=["after refresh"]))
    provider = qianfan_provider(qianfan)
    try:
        assert [c async for c in provider.stream(REQUEST)] == ["first"]
        qianfan.revoke_tokens()  # error 111 for token-1 from now on
        assert [c async for c in provider.stream(REQUEST)] == ["after refresh"]
    finally:
        await provider.aclose()
    tokens = [call.query["access_token"][0] for call in qianfan.requests_to(PATH)]
    assert tokens == ["24.token-1", "24.token-1", "24.token-2"]


async def test_a_token_refused_after_refresh_is_an_auth_error(qianfan: FakeQianfan):
    qianfan.queue(Script(error=(110, "Access token invalid")), Script(error=(111, "expired")))
    with pytest.raises(AuthError, match=r"error 11[01]") as raised:
        await collect(qianfan_provider(qianfan))
    assert len(qianfan.requests_to(PATH)) == 2
    assert len(qianfan.requests_to("/oauth/2.0/token")) == 2
    assert SK not in str(raised.value)


async def test_wrong_secret_key_fails_the_exchange_without_echoing_it(qianfan: FakeQianfan):
    with pytest.raises(AuthError, match="unknown client id") as raised:
        await collect(qianfan_provider(qianfan, sk="sk-wrong-secret-0000"))
    assert "sk-wrong-secret-0000" not in str(raised.value)
    assert qianfan.requests_to(PATH) == []


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (18, RateLimitError),
        (336501, RateLimitError),
        (336502, RateLimitError),
        (336100, TransientError),
        (336003, RejectedError),
        (6, AuthError),
    ],
)
async def test_error_codes_map_onto_our_classes(qianfan: FakeQianfan, code: int, error: type):
    qianfan.queue(Script(error=(code, f"fake message {code}")))
    with pytest.raises(error, match=f"fake message {code}"):
        await collect(qianfan_provider(qianfan))


async def test_signed_requests_carry_a_valid_bce_auth_v1_signature(qianfan: FakeQianfan):
    qianfan.queue(Script(chunks=["signed"]))
    provider = qianfan_provider(qianfan, auth="signature", endpoint="my_service")
    assert await collect(provider) == ["signed"]
    [call] = qianfan.received
    assert call.path == PATH + "my_service" and call.query == {}
    assert call.headers["Authorization"].startswith(f"bce-auth-v1/{AK}/")
    assert call.headers["Authorization"].split("/")[4] == "host;x-bce-date"
    assert call.headers["Authorization"] == qianfan.expected_signature(call)


async def test_a_wrong_signature_is_an_auth_error(qianfan: FakeQianfan):
    with pytest.raises(AuthError, match="IAM Certification failed"):
        await collect(qianfan_provider(qianfan, auth="signature", sk="sk-other-secret-11"))
    assert len(qianfan.received) == 1  # a signature is never "refreshed"


def test_only_four_short_stops_are_sent_newline_first():
    stops = ("<|endoftext|>", "<|fim_prefix|>", "a-stop-longer-than-twenty", "<|x|>", "<|y|>", "\n")
    assert sendable_stops(stops) == ["\n", "<|endoftext|>", "<|fim_prefix|>", "<|x|>"]


async def test_stops_qianfan_could_not_take_are_enforced_here(qianfan: FakeQianfan):
    long_stop = "# ---- end of snippet ----"
    request = dataclasses.replace(REQUEST, stop=("<EOT>", "<A>", "<B>", "<C>", long_stop))
    qianfan.queue(Script(chunks=["x = 1\n# ---- end", " of snippet ----\nmore"]))
    assert "".join(await collect(qianfan_provider(qianfan), request)) == "x = 1\n"
    assert long_stop not in qianfan.requests_to(PATH)[0].body["stop"]


async def test_temperature_is_kept_inside_zero_to_one(qianfan: FakeQianfan):
    await collect(qianfan_provider(qianfan), dataclasses.replace(REQUEST, temperature=0.0))
    assert qianfan.requests_to(PATH)[0].body["temperature"] == 0.01


async def test_flagged_and_unfinished_answers_are_dropped(qianfan: FakeQianfan):
    qianfan.queue(
        Script(chunks=["bad"], flags={"need_clear_history": True, "ban_round": -1}),
        Script(chunks=["half", "way"], unfinished=True),
    )
    with pytest.raises(TransientError, match="need_clear_history"):
        await collect(qianfan_provider(qianfan))
    with pytest.raises(TransientError, match="is_end"):
        await collect(qianfan_provider(qianfan))


async def test_missing_keys_and_unknown_models_send_nothing(qianfan: FakeQianfan):
    with pytest.raises(MissingKeyError, match="no AK/SK for qianfan"):
        await collect(qianfan_provider(qianfan, sk=""))
    with pytest.raises(RejectedError, match="endpoint"):
        await collect(qianfan_provider(qianfan, model="ERNIE-Speed"))
    assert qianfan.received == []


async def test_a_hung_service_times_out(qianfan: FakeQianfan):
    qianfan.queue(Script(chunks=["late"], hang=1.0))
    with pytest.raises(TransientError, match="timed out"):
        await collect(qianfan_provider(qianfan, timeout_s=0.2))


# End to end: the real server over stdio.

URI = "file:///work/add.py"


def qianfan_settings(fake: FakeQianfan, **overrides: object) -> dict[str, object]:
    return {
        "provider": "qianfan",
        "baseUrl": fake.base_url,
        "apiKey": AK,
        "secretKey": SK,
        "model": "CodeLlama-7b-Instruct",
        **overrides,
    }


async def test_e2e_completion_round_trip(lsp: LanguageClient, qianfan: FakeQianfan):
    await initialize(lsp, qianfan_settings(qianfan))
    qianfan.queue(Script(chunks=["\n    return", " a + b\n", "\n\nprint(add(1, 2))\n"]))
    open_document(lsp, URI, "def add(a, b):\n\nx = 1\n")

    [item] = await ask(lsp, URI, 0, 14)

    assert item.insert_text == "\n    return a + b"
    [token] = qianfan.requests_to("/oauth/2.0/token")
    assert token.query["client_secret"] == [SK]
    [call] = qianfan.requests_to(PATH)
    assert call.path == PATH + "codellama_7b_instruct"
    assert call.query == {"access_token": ["24.token-1"]}
    assert call.headers["Content-Type"] == "application/json"
    assert call.body == {
        "prompt": "<PRE> def add(a, b): <SUF>\n\nx = 1\n <MID>",
        "stream": True,
        "temperature": 0.1,
        "top_p": 0.95,
        "stop": ["<EOT>", "<PRE>", "<SUF>"],
    }
    assert lsp.messages == []


async def test_e2e_expired_token_is_refreshed_quietly(lsp: LanguageClient, qianfan: FakeQianfan):
    await initialize(lsp, qianfan_settings(qianfan))
    qianfan.queue(Script(chunks=[" 1"]), Script(chunks=[" 2"]))
    open_document(lsp, URI, "a =\nb =\n")
    assert [i.insert_text for i in await ask(lsp, URI, 0, 3)] == [" 1"]
    qianfan.revoke_tokens()

    assert [i.insert_text for i in await ask(lsp, URI, 1, 3)] == [" 2"]

    assert len(qianfan.requests_to("/oauth/2.0/token")) == 2
    assert qianfan.requests_to(PATH)[-1].query == {"access_token": ["24.token-2"]}
    assert lsp.messages == []


async def test_e2e_each_error_class(lsp: LanguageClient, qianfan: FakeQianfan):
    await initialize(lsp, qianfan_settings(qianfan, secretKey="sk-wrong-secret-0000"))
    open_document(lsp, URI, "a =\n")
    assert await ask(lsp, URI, 0, 3) == []
    [refused] = await messages(lsp, 1)
    assert "unknown client id" in refused and "sk-wrong-secret-0000" not in refused

    reconfigure(lsp, {"secretKey": SK})
    qianfan.queue(Script(error=(336501, "rpm limit reached")))
    assert await ask(lsp, URI, 0, 3) == []
    assert "rate limiting" in (await messages(lsp, 2))[1]

    reconfigure(lsp, {"secretKey": SK})
    qianfan.queue(Script(error=(336100, "service overloaded")), Script(error=(336003, "bad param")))
    assert await ask(lsp, URI, 0, 3) == []  # overloaded: one log line, nothing shown
    assert await ask(lsp, URI, 0, 2) == []
    assert "bad param" in (await messages(lsp, 3))[2]

    qianfan.queue(Script(chunks=[" 42"]))
    assert [i.insert_text for i in await ask(lsp, URI, 0, 3)] == [" 42"]
    assert len(lsp.messages) == 3
    assert all(m.type != types.MessageType.Info for m in lsp.messages)


async def test_e2e_timeout_then_recovery(lsp: LanguageClient, qianfan: FakeQianfan):
    await initialize(lsp, qianfan_settings(qianfan, timeoutMs=300))
    qianfan.queue(Script(chunks=[" late"], hang=1.5), Script(chunks=[" on time"]))
    open_document(lsp, URI, "a =\n")
    assert await ask(lsp, URI, 0, 3) == []
    assert [i.insert_text for i in await ask(lsp, URI, 0, 2)] == [" on time"]
    assert lsp.messages == []


async def test_e2e_signature_mode(lsp: LanguageClient, qianfan: FakeQianfan):
    await initialize(
        lsp, qianfan_settings(qianfan, qianfanAuth="signature", endpoint="my_sqlcoder")
    )
    qianfan.queue(Script(chunks=[" 3"]))
    open_document(lsp, URI, "a =\n")
    assert [i.insert_text for i in await ask(lsp, URI, 0, 3)] == [" 3"]
    [call] = qianfan.received
    assert call.path == PATH + "my_sqlcoder"
    assert call.headers["Authorization"] == qianfan.expected_signature(call)
