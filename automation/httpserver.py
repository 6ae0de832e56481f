"""Serving a WSGI app of the local web form with waitress, in a background thread.

:class:`AppServer` is what the one-cell form (``webform.FormServer``) and the
many-cells site (``webcells.CellServer``) share: a cap on connections per client
address, a short idle timeout, tracebacks never sent, and a clean stop that lets
requests in flight finish. Waitress is pure Python, so it runs on Windows too.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer

from automation.i18n import Text
from automation.ports import InputError

log = logging.getLogger(__name__)

#: The largest request body read (a full answer sheet is a few kilobytes).
MAX_BODY = 64 * 1024

PORT_BUSY = Text(
    "Không mở được máy chủ biểu mẫu tại {host}:{port} ({error}). Hãy đổi 'port' (hoặc "
    "'host') trong mục [local] của config/settings.toml, hoặc tắt chương trình đang dùng cổng đó.",
    "Cannot serve the form on {host}:{port} ({error}). Change 'port' (or 'host') in the "
    "[local] section of config/settings.toml, or stop the program using that port.",
)


def lan_address() -> str:
    """This machine's address on the local network, as phones would reach it.

    No packet is sent: connecting a UDP socket only picks the outgoing
    interface. Falls back to the host name's address, then loopback.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routable-looking, never used
        address = str(probe.getsockname()[0])
        if not address.startswith("0."):
            return address
    except OSError:
        pass
    finally:
        probe.close()
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def public_base_url(public_url: str, host: str, port: int) -> str:
    """The address phones use: ``public_url`` when set, else this machine's LAN address."""
    if public_url.strip():
        return public_url.strip().rstrip("/")
    if host in ("0.0.0.0", "", "::"):
        host = lan_address()
    return f"http://{host}:{port}"


def cell_url(base_url: str, cell_path: str) -> str:
    """The address of one cell's forms when many cells share the server (its store's
    ``public_url``): the base + ``/<cell-path>``."""
    return f"{base_url.strip().rstrip('/')}/{cell_path}"


#: The soft limit on open files asked for (where the hard limit allows): each cell's
#: SQLite store holds two descriptors per server thread that used it.
FILES_WANTED = 65536
_MACOS_FILES = 10240  # macOS refuses more than OPEN_MAX whatever the hard limit says


def files_needed(cells: int, threads: int) -> int:
    """About how many files a server of ``cells`` stores may hold open: per store its
    database and write-ahead log per thread (the server's and the tick's) and its shared
    memory; then the connections (waitress allows 1000) and a margin."""
    return cells * (2 * (threads + 2) + 1) + 1100


def raise_file_limit() -> int | None:
    """Raise this process's soft limit on open files towards its hard limit (Linux and
    macOS often start at 1024 or 256, too few for many cells); the soft limit now, None
    where there is none to raise (Windows) or it is unlimited."""
    try:
        import resource
    except ImportError:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return None
    wanted = FILES_WANTED if hard == resource.RLIM_INFINITY else min(hard, FILES_WANTED)
    for target in (wanted, _MACOS_FILES):
        if target <= soft:
            break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            continue
        return target
    return soft


class _Parser(HTTPRequestParser):
    """Waitress's request parser, with a path even for a request it could not read:
    when a client leaves before the 400 page is written, waitress logs the path it
    was serving, and without one that log line becomes an error with a traceback."""

    path = ""


class _Channel(HTTPChannel):
    parser_class = _Parser


class _FairServer(TcpWSGIServer):
    """Waitress's server with a cap on connections per client address.

    One phone (or one hostile client) holding many idle connections cannot
    take the connections every other member needs: past ``per_client`` open
    connections from one address, new ones from it are closed at once.
    """

    channel_class = _Channel
    per_client = 16
    warned: dict[str, float]

    def handle_accept(self) -> None:
        try:
            accepted = self.accept()
        except OSError:
            return
        if accepted is None:
            return
        conn, addr = accepted
        host = addr[0] if isinstance(addr, tuple) else str(addr)
        channels: dict[int, Any] = self.active_channels  # type: ignore[assignment]
        held = sum(1 for channel in list(channels.values())
                   if isinstance(channel.addr, tuple) and channel.addr[0] == host)
        if held >= self.per_client:
            moment = time.monotonic()
            if moment - self.warned.get(host, -60.0) >= 60:  # one line a minute, not a flood
                self.warned[host] = moment
                log.warning("refusing connections from %s: %d already open", host, held)
            conn.close()
            return
        self.set_socket_options(conn)
        socket_map: dict[int, Any] = self._map  # type: ignore[attr-defined]
        self.channel_class(self, conn, self.fix_addr(addr), self.adj, map=socket_map)


class AppServer:
    """A WSGI app served by waitress in a background thread, with a clean stop.

    ``port=0`` picks a free port. ``per_client`` caps the connections one address
    may hold; ``idle_timeout`` closes connections that sent nothing for that long
    (seconds). Subclasses learn the address once it is bound (:meth:`_bound`).
    """

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0,
                 language: str = "vi", threads: int = 8, per_client: int = 16,
                 idle_timeout: float = 10) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.threads = threads
        self.language = language
        self.per_client = per_client
        self.idle_timeout = idle_timeout
        self._server: _FairServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def base_url(self) -> str:
        """The local address of the running server (loopback when listening everywhere)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> str:
        if self._thread is not None:
            return self.base_url
        try:
            adjustments = Adjustments(
                host=self.host, port=self.port, threads=self.threads,
                max_request_body_size=MAX_BODY * 4, max_request_header_size=32 * 1024,
                channel_timeout=self.idle_timeout, cleanup_interval=1,
                connection_limit=1000, backlog=1024, expose_tracebacks=False,
                ident="quiz", clear_untrusted_proxy_headers=True,
            )
            server = _FairServer(self.app, map={}, adj=adjustments)
        except OSError as exc:
            raise InputError(PORT_BUSY(self.language, host=self.host, port=self.port,
                                       error=exc)) from exc
        server.per_client = self.per_client
        server.warned = {}
        self._server = server
        self.port = int(server.getsockname()[1])
        self._bound(public_base_url("", self.host, self.port))
        self._stopping.clear()
        self._thread = threading.Thread(target=self._serve, name="form-server", daemon=True)
        self._thread.start()
        log.info("form server listening on %s", self.base_url)
        return self.base_url

    def _bound(self, guessed_url: str) -> None:
        """The port is known: ``guessed_url`` is the address phones would use."""

    def stop(self) -> None:
        """Stop listening, let requests in flight finish (a few seconds at most), close."""
        if self._thread is None:
            return
        self._stopping.set()
        self._thread.join(timeout=15)
        self._thread = None
        self._server = None

    def _serve(self) -> None:
        server = self._server
        assert server is not None
        # waitress's own loop internals (its type stubs leave them out).
        socket_map: dict[int, Any] = server._map  # type: ignore[attr-defined]
        channels: dict[int, Any] = server.active_channels  # type: ignore[assignment]
        while not self._stopping.is_set():
            wasyncore.loop(timeout=0.2, map=socket_map, use_poll=True, count=1)
        wasyncore.dispatcher.close(server)  # stop accepting; the trigger stays for replies
        drain_until = time.monotonic() + 5
        while time.monotonic() < drain_until and any(
            channel.requests or channel.total_outbufs_len
            for channel in list(channels.values())
        ):
            wasyncore.loop(timeout=0.05, map=socket_map, use_poll=True, count=1)
        server.task_dispatcher.shutdown(timeout=5)
        for dispatcher in list(socket_map.values()):
            dispatcher.close()
        trigger: Any = server.trigger  # the stubs type it as a number; it is a dispatcher
        trigger.close()
