"""Baidu's two ways to prove who we are with an AK/SK pair.

- ``TokenAuth``: trade AK/SK for an OAuth access token (client credentials) at
  ``/oauth/2.0/token``, send it as the ``access_token`` query parameter, keep it until
  shortly before it expires, and fetch a new one once when the API says it went stale.
- ``SignatureAuth``: sign every request (``bce-auth-v1``, Baidu's IAM scheme); nothing to
  cache, nothing to refresh.

Neither puts a key in an error message; tokens are registered with the log masker.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from datetime import datetime, timezone
from urllib.parse import quote

import httpx

from fim_lsp.logs import add_secret
from fim_lsp.providers.base import AuthError
from fim_lsp.providers.wire import TransportErrors, lenient_json, parse_json, status_error

# Renew this long before Baidu's expiry (30 days), so a token never dies mid-request.
TOKEN_MARGIN_S = 300.0
SIGNATURE_LIFETIME_S = 1800


class TokenAuth:
    refreshable = True

    def __init__(
        self, client: httpx.AsyncClient, base_url: str, ak: str, sk: str, limit: httpx.Timeout
    ) -> None:
        self._client = client
        self._url = base_url.rstrip("/") + "/oauth/2.0/token"
        self._ak = ak
        self._sk = sk
        self._limit = limit
        self._token = ""
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def sign(self, method: str, url: httpx.URL) -> tuple[httpx.URL, dict[str, str]]:
        return url.copy_merge_params({"access_token": await self._current()}), {}

    def refresh(self) -> None:
        """The API called our token invalid or expired (110/111): fetch a new one next."""
        self._expires_at = 0.0

    async def _current(self) -> str:
        async with self._lock:  # one exchange even when several completions start at once
            if time.monotonic() >= self._expires_at:
                self._token, lifetime = await self._exchange()
                self._expires_at = time.monotonic() + max(0.0, lifetime - TOKEN_MARGIN_S)
            return self._token

    async def _exchange(self) -> tuple[str, float]:
        params = {
            "grant_type": "client_credentials",
            "client_id": self._ak,
            "client_secret": self._sk,
        }
        async with TransportErrors("qianfan token", self._limit):
            response = await self._client.post(self._url, params=params, timeout=self._limit)
        if response.status_code != 200:
            body = lenient_json(response.content)
            detail = str(body.get("error_description") or body.get("error") or "no details")
            error = status_error("qianfan token exchange", response, detail[:200])
            if response.status_code in (400, 401):  # invalid_client: the AK/SK pair is wrong
                raise AuthError(str(error))
            raise error
        body = parse_json(response.content)
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            detail = str(body.get("error_description") or "no access_token")[:200]
            raise AuthError(f"qianfan token exchange failed: {detail}")
        add_secret(token)
        expires_in = body.get("expires_in")
        return token, float(expires_in) if isinstance(expires_in, (int, float)) else 86400.0


class SignatureAuth:
    refreshable = False

    def __init__(self, ak: str, sk: str) -> None:
        self._ak = ak
        self._sk = sk

    async def sign(self, method: str, url: httpx.URL) -> tuple[httpx.URL, dict[str, str]]:
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = {"host": url.netloc.decode("ascii"), "x-bce-date": now}
        authorization = bce_authorization(self._ak, self._sk, method, url, headers, now)
        return url, {**headers, "Authorization": authorization}

    def refresh(self) -> None:
        """A signature is made fresh for every request: nothing to renew."""


def bce_authorization(
    ak: str, sk: str, method: str, url: httpx.URL, headers: dict[str, str], timestamp: str
) -> str:
    """``bce-auth-v1/{ak}/{timestamp}/{lifetime}/{signed headers}/{signature}``."""
    prefix = f"bce-auth-v1/{ak}/{timestamp}/{SIGNATURE_LIFETIME_S}"
    signing_key = _hmac_hex(sk, prefix)
    query = "&".join(
        sorted(
            f"{_encode(k)}={_encode(v)}"
            for k, v in url.params.multi_items()
            if k != "authorization"
        )
    )
    canonical_headers = sorted(
        f"{_encode(name.lower())}:{_encode(value.strip())}" for name, value in headers.items()
    )
    canonical = "\n".join(
        [method.upper(), _encode(url.path, safe="/"), query, "\n".join(canonical_headers)]
    )
    signed = ";".join(sorted(name.lower() for name in headers))
    return f"{prefix}/{signed}/{_hmac_hex(signing_key, canonical)}"


def _hmac_hex(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def _encode(text: str, safe: str = "") -> str:
    """RFC 3986: everything but unreserved characters is %-encoded (``~`` stays)."""
    return quote(text, safe=safe + "-_.~")
