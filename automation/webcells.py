"""One web-form server for many cells, each cell under its own path (local backend).

A committee runs one service for all its cells; each cell keeps its own forms store
(``<workbook>.forms.sqlite``). :class:`CellDispatcher` is a WSGI app that sends
``/<cell-path>/...`` to that cell's own web form (:func:`automation.webform.create_app`
over its store, so its own session key), with ``SCRIPT_NAME`` set to ``/<cell-path>``:
every link, static file and redirect of its pages stays under the path, and its
cookies (session, device) are scoped to it, so two cells' sessions never mix on one
phone. ``/`` lists the cells with a round open now; anything else is the usual 404
page. Cells are added, removed or replaced while the server runs (:meth:`update`);
a request in flight finishes with the cell it started with. :class:`CellServer`
serves the dispatcher as ``FormServer`` serves one store.

A store removed from the dispatcher is closed by dropping it: do not ``close_db`` it
while a request may still be using it.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, Response, abort, render_template, request
from werkzeug.exceptions import HTTPException

from automation.httpserver import MAX_BODY, AppServer, cell_url, files_needed, raise_file_limit
from automation.i18n import Text
from automation.localforms import LocalForms
from automation.ports import BackendError, InputError
from automation.text import (
    MAX_CELL_PATH,
    RESERVED_CELL_PATHS,
    normalize,
    strip_accents,
    valid_cell_path,
)
from automation.webform import UI, create_app, secure, share_templates

__all__ = ["CellDispatcher", "CellServer", "WebCell", "cell_url", "valid_cell_path"]

log = logging.getLogger(__name__)

# Set in the environ by the dispatcher for the committee's app: which error to show.
_REFUSE = "automation.webcells.refuse"
WARN_EVERY = 60.0  # seconds between two log lines about the same broken cell

TEXTS: dict[str, Text] = {
    "cells_open": Text("Các chi bộ đang có kỳ thi mở:", "Cells with a round open now:"),
}


@dataclass(frozen=True)
class WebCell:
    """A cell as the site shows it: its store, the name on the committee's home page
    (the path when blank), and the language of its pages (the store's when blank)."""

    forms: LocalForms
    name: str = ""
    language: str = ""


class _Mounted:
    """A cell and its Flask app, made at its first request: the app reads its session
    key from the store, and a store that cannot be read then must not stop the others."""

    def __init__(self, path: str, cell: WebCell,
                 clock: Callable[[], datetime] | None) -> None:
        self.path = path
        self.cell = cell
        self.clock = clock
        self._app: Flask | None = None
        self._lock = threading.Lock()
        self._warned = -WARN_EVERY

    @property
    def name(self) -> str:
        return self.cell.name.strip() or self.path

    def app(self) -> Flask | None:
        """The cell's app; None (logged at most once a minute) while its store fails."""
        if self._app is not None:
            return self._app
        with self._lock:
            if self._app is None:
                try:
                    self._app = create_app(self.cell.forms,
                                           language=self.cell.language or
                                           self.cell.forms.language, clock=self.clock)
                except Exception as error:  # one cell's failure is that cell's alone
                    self.warn("cannot serve cell %r: %s", error)
        return self._app

    def warn(self, text: str, error: Exception) -> None:
        """Log a failure of this cell's store, at most once a minute; its traceback only
        when it is not the store's own message (that one names the file and what to do)."""
        moment = time.monotonic()
        if moment - self._warned >= WARN_EVERY:
            self._warned = moment
            plain = isinstance(error, InputError | BackendError)
            log.error(text, self.path, error, exc_info=None if plain else error)


class CellDispatcher:
    """The WSGI app of many cells, each under ``/<cell-path>``; see the module's doc.

    ``cells`` maps a cell path to its store (or a :class:`WebCell`). ``language`` is
    the committee's home page and error pages' language. ``public_url`` is the address
    phones use (no path); once set, every cell store's ``public_url`` is that address
    + ``/<cell-path>``, so the links the tick writes point under the cell's path.
    """

    def __init__(self, cells: Mapping[str, LocalForms | WebCell] | None = None, *,
                 language: str = "vi", clock: Callable[[], datetime] | None = None,
                 public_url: str = "") -> None:
        self.language = language
        self.clock = clock
        self._public_url = public_url.strip().rstrip("/")
        self._lock = threading.RLock()
        self._cells: dict[str, _Mounted] = {}  # replaced whole, never changed in place
        self._home = _home_app(self)
        #: Told the number of cells after each change (the server checks its file limit).
        self.watch: Callable[[int], None] | None = None
        self.update(cells or {})

    # --- the cells ----------------------------------------------------------------

    @property
    def public_url(self) -> str:
        return self._public_url

    @public_url.setter
    def public_url(self, url: str) -> None:
        with self._lock:
            self._public_url = url.strip().rstrip("/")
            for mounted in self._cells.values():
                self._link(mounted)

    def update(self, cells: Mapping[str, LocalForms | WebCell]) -> None:
        """Serve exactly these cells from now on: new ones answer at once, removed ones
        are a 404 at once, a cell given again as it was keeps its app."""
        wanted = {path: cell if isinstance(cell, WebCell) else WebCell(cell)
                  for path, cell in cells.items()}
        _check(wanted)
        with self._lock:
            current = self._cells
            mounted = {}
            for path, cell in wanted.items():
                kept = current.get(path)
                mounted[path] = kept if kept is not None and kept.cell == cell else \
                    _Mounted(path, cell, self.clock)
                self._link(mounted[path])
            self._cells = mounted
        if self.watch is not None:
            self.watch(len(mounted))

    def add(self, path: str, cell: LocalForms | WebCell) -> None:
        """Serve one more cell (or replace the one at ``path``)."""
        with self._lock:  # re-entered by update: no other change comes in between
            self.update({**self.cells(), path: cell})

    def remove(self, path: str) -> None:
        """Stop serving a cell: its path is a 404 from the next request on."""
        with self._lock:
            self.update({p: cell for p, cell in self.cells().items() if p != path})

    def cells(self) -> dict[str, WebCell]:
        """The cells served now, by path."""
        return {path: mounted.cell for path, mounted in self._cells.items()}

    def _link(self, mounted: _Mounted) -> None:
        if self._public_url:
            mounted.cell.forms.public_url = cell_url(self._public_url, mounted.path)

    # --- WSGI -------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        segment, slash, rest = path[1:].partition("/")
        mounted = self._cells.get(segment) if path.startswith("/") else None
        if not _plain(environ):
            environ[_REFUSE] = 404
        elif mounted is not None and _raw_segment(environ) == segment:
            app = mounted.app()
            if app is not None:
                environ["SCRIPT_NAME"] = f"{environ.get('SCRIPT_NAME', '')}/{segment}"
                environ["PATH_INFO"] = slash + rest
                return app(environ, start_response)
            environ[_REFUSE] = 503
        elif mounted is not None:
            environ[_REFUSE] = 404  # the same cell reached by another spelling of its path
        return self._home(environ, start_response)

    def open_cells(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Each cell with a round open now, by name: (name, [(form title, path)])."""
        listed = []
        for mounted in list(self._cells.values()):
            try:
                forms = mounted.cell.forms.open_forms()
            except Exception as error:  # the other cells are listed all the same
                mounted.warn("cannot list cell %r: %s", error)
                continue
            quoted = urllib.parse.quote(mounted.path)
            links = [(form.spec.title, f"/{quoted}/f/{urllib.parse.quote(form.form_id)}")
                     for form in forms]
            if links:
                listed.append((mounted.name, links))
        return sorted(listed, key=lambda item: _alphabetical(item[0]))


def _alphabetical(name: str) -> tuple[str, str]:
    """A sort key close to the Vietnamese alphabet: letters first (Ấp before Trường),
    then accents."""
    return strip_accents(normalize(name)), normalize(name)


def _check(cells: Mapping[str, WebCell]) -> None:
    """Paths a cell can have, and no store under two paths (its links would be wrong)."""
    bad = sorted(repr(path) for path in cells if not valid_cell_path(path))
    if bad:
        raise ValueError(f"not a cell path: {', '.join(bad)} (lower-case ASCII letters, "
                         f"digits and single hyphens, at most {MAX_CELL_PATH}, not "
                         f"{', '.join(sorted(RESERVED_CELL_PATHS))})")
    seen: dict[str, str] = {}
    for path, cell in cells.items():
        store = str(cell.forms.db_path.resolve())
        if store in seen:
            raise ValueError(f"one forms store under two cell paths: {seen[store]!r}, {path!r}")
        seen[store] = path


def _raw_path(environ: Mapping[str, Any]) -> str | None:
    """The path as the phone sent it (still %-encoded), when the server says."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if not isinstance(raw, str):
        return None
    if raw.startswith("/"):
        return raw.split("?", 1)[0]
    try:
        return urllib.parse.urlsplit(raw).path  # the absolute form: http://host/path
    except ValueError:
        return ""


def _plain(environ: Mapping[str, Any]) -> bool:
    """No encoded slash: none of our links has one, and it would hide a path's shape."""
    raw = _raw_path(environ)
    return raw is None or "%2f" not in raw.lower()


def _raw_segment(environ: Mapping[str, Any]) -> str | None:
    """The first segment exactly as sent (None: the server does not say, trust it)."""
    raw = _raw_path(environ)
    if raw is None:
        return _first(environ.get("PATH_INFO", ""))
    return _first(raw) if raw.startswith("/") else ""


def _first(path: str) -> str:
    return path[1:].partition("/")[0]


def _home_app(cells: CellDispatcher) -> Flask:
    """The committee's own pages: ``/`` (the cells with a round open), the 404 page of
    unknown paths, and the style sheet and script they share."""
    app = Flask(__name__)
    share_templates(app)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY, TRAP_HTTP_EXCEPTIONS=False,
                      PROPAGATE_EXCEPTIONS=False)
    language = cells.language

    def t(key: str, **fields: object) -> str:
        return (TEXTS.get(key) or UI[key])(language, **fields)

    def page(template: str, status: int, **context: Any) -> Response:
        html = render_template(template, t=t, lang=language, refresh=None, survey=False,
                               **context)
        return Response(html, status=status, mimetype="text/html")

    def message(status: int, heading: str, text: str, kind: str) -> Response:
        return page("message.html", status, heading=heading, paragraphs=[text], links=[],
                    link=None, kind=kind)

    @app.before_request
    def refused() -> None:
        status = request.environ.get(_REFUSE)
        if status:
            abort(status)

    @app.after_request
    def headers(response: Response) -> Response:
        secure(response)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = error.code or 500
        if code == 404:
            return message(404, t("not_found"), t("not_found_text"), "not_found")
        if code == 503:
            return message(503, t("error"), t("error_text"), "error")
        log.warning("http %s on %s %r from %s", code, request.method, request.path,
                    request.remote_addr)
        text = t("bad_request") if 400 <= code < 500 else t("error_text")
        return message(code, t("bad"), text, "bad")

    @app.errorhandler(Exception)
    def crash(error: Exception) -> Response:
        log.exception("error on %s %r", request.method, request.path)
        return message(500, t("error"), t("error_text"), "error")

    @app.get("/")
    def home() -> Response:
        listed = [(name, [(title, request.script_root + href) for title, href in links])
                  for name, links in cells.open_cells()]
        return page("cells.html", 200, heading=t("home"), cells=listed, kind="cells",
                    lead=t("cells_open") if listed else t("home_none"))

    return app


class CellServer(AppServer):
    """A :class:`CellDispatcher` served by waitress, with ``FormServer``'s guarantees:
    a cap on connections per client address, a clean stop, tracebacks never shown.

    When the dispatcher's ``public_url`` is blank it is set from the address the
    server listens on, so the cells' links work right away. Each cell's store holds
    files open per server thread, so the server raises the process's limit on open
    files and logs a warning when the cells served would need more than it allows.
    """

    def __init__(self, cells: CellDispatcher, *, host: str = "127.0.0.1", port: int = 0,
                 threads: int = 8, per_client: int = 16, idle_timeout: float = 10) -> None:
        super().__init__(cells, host=host, port=port, language=cells.language,
                         threads=threads, per_client=per_client, idle_timeout=idle_timeout)
        self.cells = cells
        self._file_limit: int | None = None
        self._warned_cells = 0

    def _bound(self, guessed_url: str) -> None:
        if not self.cells.public_url:
            self.cells.public_url = guessed_url
        self._file_limit = raise_file_limit()
        self.cells.watch = self._check_files
        self._check_files(len(self.cells.cells()))

    def _check_files(self, cells: int) -> None:
        limit = self._file_limit
        if limit is None or files_needed(cells, self.threads) <= limit:
            self._warned_cells = 0
            return
        if cells > self._warned_cells:  # once, and again when more cells come
            self._warned_cells = cells
            log.warning("%d cells may need about %d open files, more than this process may "
                        "open (%d): some members would get an error page. Raise the limit "
                        "(ulimit -n, or LimitNOFILE= in a systemd unit) or serve fewer "
                        "threads", cells, files_needed(cells, self.threads), limit)

    def __enter__(self) -> CellServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
