"""One TLS context for every HTTP client the server makes.

Building a context reads the whole CA bundle (40 ms on a quiet machine, 0.1 to 0.4 s on a busy
one), and every settings change makes a new provider with a new client: so it is built once,
in a thread started before the server reads its first message, and shared.  It is the
context httpx builds for ``verify=True``: verification and hostname checks stay on.
"""

from __future__ import annotations

import os
import ssl
import threading
from concurrent.futures import Future

import certifi

_context: Future[ssl.SSLContext] = Future()
_started = threading.Lock()


def prepare() -> None:
    """Start building the context in the background (once; later calls do nothing)."""
    if _started.acquire(blocking=False):
        threading.Thread(target=_build, name="fim-lsp-tls", daemon=True).start()


def shared_context() -> ssl.SSLContext:
    """The context, waiting for the build if it is still running."""
    prepare()
    return _context.result()


def _build() -> None:
    try:
        _context.set_result(_verifying_context())
    except BaseException as error:  # a bad SSL_CERT_FILE: raised where a client is made
        _context.set_exception(error)


def _verifying_context() -> ssl.SSLContext:
    """As httpx's ``create_ssl_context()``: SSL_CERT_FILE or SSL_CERT_DIR when set (a
    company's own CA), else certifi's bundle."""
    if cafile := os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=cafile)
    if capath := os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=capath)
    return ssl.create_default_context(cafile=certifi.where())
