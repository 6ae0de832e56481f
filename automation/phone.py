"""A member's phone for the local web form: a cookie jar and plain HTTP (stdlib only).

Used by the demo, the tests and the load benchmark. It reads our own pages the
way a member does (the names offered, the questions shown, the countdown) and
keeps every reply the server sent, redirects included, so tests can check that
nothing a phone receives before the deadline gives the key or a score away.
"""

from __future__ import annotations

import functools
import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from typing import IO, Any


@dataclass(frozen=True)
class PageQuestion:
    title: str
    options: tuple[str, ...]  # as displayed (shuffled for this member); () for a free answer
    multi: bool
    kind: str = "choice"  # or "text"


@dataclass(frozen=True)
class Page:
    """A page as a member sees it: status, visible text, and what can be filled in."""

    status: int
    url: str
    text: str
    names: tuple[str, ...] = ()
    questions: tuple[PageQuestion, ...] = ()
    seconds_left: int | None = None
    html: str = ""
    page: str = ""  # which page it is (the body's data-page)
    refresh: int | None = None  # seconds, when the page reloads itself
    fields: tuple[tuple[str, str], ...] = ()  # (name, type) of the inputs shown


@dataclass(frozen=True)
class Exchange:
    """One reply exactly as the server sent it (redirects included)."""

    status: int
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class MemberClient:
    """One member's phone.

    >>> client = MemberClient(base_url)
    >>> client.open_form(url).names                    # the roster drop-down
    >>> client.start("Nguyễn Văn An").questions        # records the start, shows questions
    >>> client.submit("Nguyễn Văn An", {title: [option text]}).status   # 200 when accepted

    ``source_address`` makes the phone connect from that local address (on
    Linux any 127.x.y.z reaches a server on 127.0.0.1), so one machine can
    play phones with addresses of their own.
    """

    def __init__(self, base_url: str = "", *, timeout: float = 15,
                 source_address: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = CookieJar()
        self.exchanges: list[Exchange] = []
        handlers: list[Any] = [urllib.request.HTTPCookieProcessor(self.cookies),
                               _Recorder(self.exchanges)]
        if source_address:
            handlers.append(_FromAddress(source_address))
        self._opener = urllib.request.build_opener(*handlers)
        self._form_url = ""
        self._csrf = ""
        self._started: str | None = None
        self._fields: dict[str, tuple[str, str, dict[str, str]]] = {}  # title -> (name, kind, ..)
        self.last: Page | None = None

    def open_form(self, form_url: str) -> Page:
        """GET the form's link (absolute, or relative to ``base_url``)."""
        self._form_url = urllib.parse.urljoin(self.base_url + "/", form_url)
        return self._request(self._form_url)

    def start(self, who: str, code: str | None = None) -> Page:
        """Pick a name (or type an email), type the personal code if asked, open the
        questions."""
        if not self._csrf:
            self.open_form(self._form_url)
        fields = [("who", who)] + ([("code", code)] if code is not None else [])
        page = self._request(self._form_url.rstrip("/") + "/start", fields)
        if page.status == 200 and page.questions:
            self._started = who
        return page

    def submit(self, who: str, answers: Mapping[str, Sequence[str]],
               code: str | None = None) -> Page:
        """Answer (question title → option texts, or the text typed) and submit; starts
        first if needed.

        A title or option text the page does not show is sent as a value the
        server does not know, as a tampered phone would.
        """
        if self._started != who:
            started = self.start(who, code)
            if started.status != 200:
                return started
        fields: list[tuple[str, str]] = []
        for title, texts in answers.items():
            name, kind, values = self._fields.get(title, ("q999", "choice", {}))
            if kind == "text":
                fields.extend((name, text) for text in texts)
            else:
                fields.extend((name, values.get(text, "999")) for text in texts)
        return self.post(self._form_url.rstrip("/") + "/submit", fields)

    def post(self, url: str, fields: Sequence[tuple[str, str]]) -> Page:
        """POST raw fields to ``url`` (absolute or relative to ``base_url``); the CSRF
        token is added unless given."""
        if not any(name == "csrf" for name, _ in fields):
            fields = [("csrf", self._csrf), *fields]
        return self._request(url, fields)

    @property
    def csrf(self) -> str:
        """The form token of the last page (what a page's own form posts back)."""
        return self._csrf

    def cookie_header(self) -> str:
        """The Cookie header this phone sends, for hand-made requests."""
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)

    def cookie(self, name: str) -> str | None:
        """The value of a cookie the server set, as the phone stores it."""
        for cookie in self.cookies:
            if cookie.name == name:
                return cookie.value
        return None

    def _request(self, url: str,
                 data: Mapping[str, str] | Sequence[tuple[str, str]] | None = None) -> Page:
        url = urllib.parse.urljoin(self.base_url + "/", url)
        body = None
        if data is not None:
            items = list(data.items()) if isinstance(data, Mapping) else list(data)
            if not any(name == "csrf" for name, _ in items):
                items.insert(0, ("csrf", self._csrf))
            body = urllib.parse.urlencode(items).encode()
        try:
            with self._opener.open(url, data=body, timeout=self.timeout) as reply:
                status, final, html = reply.status, reply.geturl(), reply.read()
                headers = tuple(reply.headers.items())
        except urllib.error.HTTPError as error:
            status, final, html = error.code, url, error.read()
            headers = tuple(error.headers.items())
        self.exchanges.append(Exchange(status, final, headers, html))
        parsed = _PageParser()
        source = html.decode("utf-8", "replace")
        parsed.feed(source)
        if parsed.csrf:
            self._csrf = parsed.csrf
        if parsed.questions:
            self._fields = {q.title: (q.name, q.kind, dict(q.values)) for q in parsed.questions}
        page = Page(
            status=status,
            url=final,
            text=" ".join(" ".join(parsed.text).split()),
            names=tuple(parsed.names),
            questions=tuple(PageQuestion(q.title, tuple(t for t, _ in q.values), q.multi, q.kind)
                            for q in parsed.questions),
            seconds_left=parsed.seconds_left,
            html=source,
            page=parsed.page,
            refresh=parsed.refresh,
            fields=tuple(parsed.fields),
        )
        self.last = page
        return page


class _Recorder(urllib.request.HTTPRedirectHandler):
    """Keeps each redirect the server sent before following it."""

    def __init__(self, exchanges: list[Exchange]) -> None:
        self.exchanges = exchanges

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int,
                         msg: str, headers: http.client.HTTPMessage,
                         newurl: str) -> urllib.request.Request | None:
        body = fp.read() if fp is not None else b""
        self.exchanges.append(Exchange(code, req.full_url, tuple(headers.items()), body))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _FromAddress(urllib.request.HTTPHandler):
    """Plain HTTP from a chosen local address."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = functools.partial(http.client.HTTPConnection,
                                       source_address=(self.address, 0))
        return self.do_open(connection, req)


@dataclass
class _ParsedQuestion:
    title: str
    name: str
    multi: bool
    kind: str
    values: list[tuple[str, str]] = field(default_factory=list)  # (option text, form value)


class _PageParser(HTMLParser):
    """Reads the few things a simulated member needs from our own pages."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.names: list[str] = []
        self.csrf = ""
        self.questions: list[_ParsedQuestion] = []
        self.seconds_left: int | None = None
        self.page = ""
        self.refresh: int | None = None
        self.fields: list[tuple[str, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag in ("script", "style", "title"):
            self._skip += 1
        elif tag == "body":
            self.page = attr.get("data-page", "")
        elif tag == "meta" and attr.get("http-equiv", "").lower() == "refresh":
            seconds = attr.get("content", "").split(";")[0].strip()
            self.refresh = int(seconds) if seconds.isascii() and seconds.isdigit() else None
        elif tag == "input" and attr.get("name") == "csrf":
            self.csrf = attr.get("value", "")
        elif tag == "option" and attr.get("value"):
            self.names.append(attr["value"])
        elif tag == "fieldset" and "data-title" in attr:
            self.questions.append(_ParsedQuestion(attr["data-title"], attr.get("data-name", ""),
                                                  attr.get("data-multi") == "1",
                                                  attr.get("data-kind", "choice")))
        elif tag == "input" and "data-text" in attr and self.questions:
            self.questions[-1].values.append((attr["data-text"], attr.get("value", "")))
        elif "data-seconds" in attr and attr["data-seconds"].isdigit():
            self.seconds_left = int(attr["data-seconds"])
        if tag in ("input", "select", "textarea") and attr.get("name"):
            self.fields.append((attr["name"], attr.get("type", tag)))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)
