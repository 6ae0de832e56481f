"""Many cells on one web-form server, each under its own path: real HTTP (waitress on
127.0.0.1), members as MemberClient phones, each cell's forms in its own SQLite file."""

from __future__ import annotations

import http.client
import logging
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import segno
from hypothesis import given
from hypothesis import strategies as st

from automation.backends import open_backend
from automation.localforms import LocalForms
from automation.phone import Page
from automation.qr import qr_filename
from automation.service import tick_once
from automation.text import strip_accents
from automation.webcells import CellDispatcher, CellServer, WebCell, valid_cell_path
from automation.webform import DEVICE_COOKIE, MemberClient
from tests.localcell import LocalCell, local, question_rows
from tests.test_localforms import HALF, MEMBERS, RIGHT, Clock, spec
from tests.test_webform_hostile import _closed, _hold, _raw, _raw_line

A, B, C = "chi-bo-a", "chi-bo-b", "chi-bo-c"
NAMES = {A: "Chi bộ Trường Tiểu học Long Trị A", B: "Chi bộ Ấp Bình Hòa", C: "Chi bộ Cơ quan"}
B_MEMBERS = ("Phạm Văn Dũng", "Hoàng Thị Em")


def store(folder: Path, clock: Clock, **options: str) -> LocalForms:
    """A cell's own forms store, beside its own workbook."""
    folder.mkdir(parents=True, exist_ok=True)
    return LocalForms(folder / "quiz.forms.sqlite", public_url="", clock=clock, **options)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def stores(tmp_path: Path, clock: Clock) -> Iterator[dict[str, LocalForms]]:
    made = {path: store(tmp_path / path, clock) for path in (A, B, C)}
    yield made
    for forms in made.values():
        forms.close_db()


@pytest.fixture
def site(stores: dict[str, LocalForms]) -> CellDispatcher:
    return CellDispatcher({path: WebCell(forms, NAMES[path]) for path, forms in stores.items()})


@pytest.fixture
def server(site: CellDispatcher) -> Iterator[CellServer]:
    with CellServer(site, threads=4) as running:
        yield running


def open_round(forms: LocalForms, **changes: object) -> str:
    """A round built and opened for two minutes; its link."""
    ref = forms.build(spec(**changes))  # type: ignore[arg-type]
    forms.open(ref.form_id, timedelta(minutes=2))
    return ref.url


def form_id(url: str) -> str:
    return url.rsplit("/", 1)[1]


def hrefs(page: Page) -> list[str]:
    return re.findall(r'<a class="button" href="([^"]+)"', page.html)


def test_one_phone_answers_in_two_cells_and_its_sessions_never_mix(
        server: CellServer, stores: dict[str, LocalForms], clock: Clock) -> None:
    link_a = open_round(stores[A])
    link_b = open_round(stores[B], member_names=B_MEMBERS)
    assert link_a == f"{server.base_url}/{A}/f/{form_id(link_a)}"  # the store's own links
    assert link_b.startswith(f"{server.base_url}/{B}/f/")

    phone = MemberClient(server.base_url)
    identify = phone.open_form(link_a)
    assert identify.page == "identify" and identify.names == MEMBERS
    for asset in ("style.css", "form.js"):  # every link of the page stays under the path
        assert f'"/{A}/static/{asset}"' in identify.html
    assert f'action="/{A}/f/{form_id(link_a)}/start"' in identify.html
    assert MemberClient(server.base_url).open_form(f"/{A}/static/style.css").status == 200
    clock.advance(seconds=10)
    done_a = phone.submit(MEMBERS[0], RIGHT)
    assert done_a.page == "received" and f"Đảng viên: {MEMBERS[0]}" in done_a.text
    redirect = next(e for e in phone.exchanges if e.status == 303)
    assert dict(redirect.headers)["Location"] == f"/{A}/f/{form_id(link_a)}"

    # the same phone in cell B: nothing of its name for A, its own name for B
    in_b = phone.open_form(link_b)
    assert in_b.page == "identify" and in_b.names == B_MEMBERS
    assert MEMBERS[0] not in in_b.text
    clock.advance(seconds=5)
    done_b = phone.submit(B_MEMBERS[1], HALF)
    assert done_b.page == "received" and f"Đảng viên: {B_MEMBERS[1]}" in done_b.text
    again_a = phone.open_form(link_a)  # B's session did not replace A's
    assert again_a.page == "received" and f"Đảng viên: {MEMBERS[0]}" in again_a.text
    assert "08:00:10" in again_a.text

    paths = {(cookie.name, cookie.path) for cookie in phone.cookies}
    assert paths == {("quiz_session", f"/{A}"), ("quiz_session", f"/{B}"),
                     (DEVICE_COOKIE, f"/{A}"), (DEVICE_COOKIE, f"/{B}")}
    [response_a] = stores[A].responses(form_id(link_a))
    [response_b] = stores[B].responses(form_id(link_b))
    assert (response_a.respondent, response_b.respondent) == (MEMBERS[0], B_MEMBERS[1])
    assert response_a.submitted_at == clock() - timedelta(seconds=5)

    # each cell signs with its own key: B's session cookie means nothing under A
    b_session = next(c.value for c in phone.cookies
                     if c.name == "quiz_session" and c.path == f"/{B}")
    stranger = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    stranger.request("GET", f"/{A}/f/{form_id(link_a)}",
                     headers={"Cookie": f"quiz_session={b_session}"})
    reply = stranger.getresponse()
    page = reply.read().decode()
    stranger.close()
    assert reply.status == 200 and 'data-page="identify"' in page and "Đảng viên:" not in page


def test_the_home_pages_list_the_rounds_open_in_each_cell(
        server: CellServer, stores: dict[str, LocalForms], clock: Clock) -> None:
    link_a = open_round(stores[A])
    survey = stores[A].build(spec(round_id="tu-danh-gia", kind="survey",
                                  title="Tự đánh giá tháng 3/2026"))
    stores[A].open(survey.form_id, timedelta(days=5))
    link_b = open_round(stores[B], title="Thi trắc nghiệm chi bộ B")
    stores[C].build(spec())  # built, not open: C is not listed
    phone = MemberClient(server.base_url)

    home = phone.open_form("/")
    assert home.status == 200 and home.page == "cells"
    assert "Các chi bộ đang có kỳ thi mở:" in home.text
    assert NAMES[A] in home.text and NAMES[B] in home.text and NAMES[C] not in home.text
    assert home.text.index(NAMES[B]) < home.text.index(NAMES[A])  # by name: Ấp before Tr…
    assert sorted(hrefs(home)) == sorted([f"/{A}/f/{form_id(link_a)}", f"/{A}/f/{survey.form_id}",
                                          f"/{B}/f/{form_id(link_b)}"])
    assert '"/static/style.css"' in home.html
    assert not list(phone.cookies)  # the committee's page keeps nothing on the phone
    assert phone.open_form(hrefs(home)[0]).status == 200

    own = phone.open_form(f"/{A}/")  # a cell's own home: its rounds only
    assert own.page == "home" and sorted(hrefs(own)) == sorted(
        [f"/{A}/f/{form_id(link_a)}", f"/{A}/f/{survey.form_id}"])
    assert phone.open_form(f"/{C}").page == "home"  # without the slash: redirected to it
    assert "Hiện chưa có kỳ thi nào đang mở" in phone.last.text  # type: ignore[union-attr]

    clock.advance(minutes=3)  # the quizzes are past their deadline: only the survey is open
    assert hrefs(phone.open_form("/")) == [f"/{A}/f/{survey.form_id}"]
    clock.advance(days=5)
    nothing = phone.open_form("/")
    assert nothing.status == 200 and not hrefs(nothing)
    assert "Hiện chưa có kỳ thi nào đang mở" in nothing.text


def test_the_committee_pages_speak_its_language_and_each_cell_its_own_in_its_zone(
        tmp_path: Path) -> None:
    """The clock in UTC; cell A in English at UTC+7, cell B in Vietnamese at UTC+9."""
    clock = Clock(datetime(2026, 3, 5, 7, 48, 0, tzinfo=UTC))
    english = store(tmp_path / A, clock, language="en")
    vietnamese = store(tmp_path / B, clock)
    site = CellDispatcher({A: english, B: WebCell(vietnamese, NAMES[B])}, language="en")
    timing = {"seconds_per_question": 30, "grace_seconds": 60}
    with CellServer(site) as server:
        link_a = open_round(english, timezone="Asia/Ho_Chi_Minh", **timing)
        link_b = open_round(vietnamese, timezone="Asia/Tokyo", **timing)
        phone = MemberClient(server.base_url)
        home = phone.open_form("/")
        assert "Cells with a round open now:" in home.text
        assert A in home.text and NAMES[B] in home.text  # a cell without a name: its path
        unknown = phone.open_form("/chi-bo-x/")
        assert unknown.status == 404 and "No such round This link is wrong." in unknown.text
        assert "Hạn nộp bài: 16:50:00." in phone.open_form(link_b).text  # 07:48 UTC + 2 min, +9
        assert "Deadline: 14:50:00." in phone.open_form(link_a).text  # the same, +7
        clock.advance(seconds=10)
        assert "received at 14:48:10" in phone.submit(MEMBERS[0], HALF).text
        assert phone.open_form(f"/{A}/f/khong-co").text.endswith("No such round This link "
                                                                   "is wrong. Open the link "
                                                                   "the cell sent again.")
        assert "Không tìm thấy kỳ thi" in phone.open_form(f"/{B}/f/khong-co").text
    english.close_db()
    vietnamese.close_db()


def test_cells_removed_added_or_replaced_while_serving_change_at_once(
        server: CellServer, site: CellDispatcher, stores: dict[str, LocalForms],
        tmp_path: Path, clock: Clock) -> None:
    link_a = open_round(stores[A])
    link_b = open_round(stores[B], member_names=B_MEMBERS)
    phone = MemberClient(server.base_url)
    phone.open_form(link_b)
    assert phone.submit(B_MEMBERS[0], RIGHT).page == "received"

    site.remove(B)
    gone = phone.open_form(link_b)
    assert gone.status == 404 and gone.page == "not_found"
    assert phone.open_form(f"/{B}/").status == 404
    assert phone.post(link_b + "/submit", [("q0", "0")]).status == 404
    assert NAMES[B] not in phone.open_form("/").text
    assert phone.open_form(link_a).status == 200  # the others carry on

    late_store = store(tmp_path / "chi-bo-d", clock)
    site.add("chi-bo-d", WebCell(late_store, "Chi bộ D"))
    link_d = open_round(late_store)  # its links carry its path at once
    assert link_d.startswith(f"{server.base_url}/chi-bo-d/f/")
    assert phone.open_form(link_d).page == "identify"
    assert "Chi bộ D" in phone.open_form("/").text

    site.add(B, WebCell(stores[B], NAMES[B]))  # B is back, with the same store: same key
    assert phone.open_form(link_b).page == "received"

    moved = store(tmp_path / "a-moved", clock)  # A's workbook moved: a new store at A's path
    site.update({A: WebCell(moved, NAMES[A]), B: WebCell(stores[B], NAMES[B])})
    assert phone.open_form(link_a).status == 404  # the old store's form is not reachable
    link_moved = open_round(moved)
    assert link_moved.startswith(f"{server.base_url}/{A}/f/")
    assert phone.open_form(link_moved).page == "identify"
    assert phone.open_form(link_d).status == 404  # not in the new set
    assert set(site.cells()) == {A, B}
    moved.close_db()
    late_store.close_db()


class GateClock(Clock):
    """A clock that, while ``hold`` is set, keeps the request reading it waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.hold = threading.Event()
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self) -> datetime:
        if self.hold.is_set():
            self.entered.set()
            self.release.wait(10)
        return self.now


def test_a_request_in_flight_finishes_when_its_cell_is_removed(tmp_path: Path) -> None:
    clock = GateClock()
    forms = store(tmp_path / A, clock)
    site = CellDispatcher({A: forms})
    with CellServer(site) as server:
        link = open_round(forms)
        replies: list[Page] = []
        clock.hold.set()
        member = threading.Thread(target=lambda: replies.append(
            MemberClient(server.base_url).open_form(link)))
        member.start()
        assert clock.entered.wait(10)  # the member's request is inside the cell's app
        clock.hold.clear()
        site.remove(A)
        assert MemberClient(server.base_url).open_form(link).status == 404  # at once
        clock.release.set()
        member.join(10)
        assert [(page.status, page.page) for page in replies] == [(200, "identify")]
    forms.close_db()


def test_a_form_of_one_cell_cannot_be_reached_under_another(
        server: CellServer, stores: dict[str, LocalForms], clock: Clock) -> None:
    link_a = open_round(stores[A])
    open_round(stores[B], member_names=B_MEMBERS)
    phone = MemberClient(server.base_url)
    phone.open_form(link_a)
    phone.start(MEMBERS[0])
    under_b = f"/{B}/f/{form_id(link_a)}"
    page = phone.open_form(under_b)
    assert page.status == 404 and page.page == "not_found" and MEMBERS[1] not in page.text
    for action in ("start", "submit"):
        assert phone.post(f"{under_b}/{action}", [("who", MEMBERS[0])]).status == 404
    assert phone.open_form(f"/{B}/").text.count(form_id(link_a)) == 0
    assert stores[A].responses(form_id(link_a)) == []
    phone.open_form(link_a)
    assert phone.submit(MEMBERS[0], RIGHT).status == 200  # at its own path it works


def test_hostile_paths_get_a_4xx_never_a_500(
        server: CellServer, stores: dict[str, LocalForms], clock: Clock,
        caplog: pytest.LogCaptureFixture) -> None:
    a_id, b_id = form_id(open_round(stores[A])), form_id(open_round(stores[B]))
    paths = [
        "/..", "/../", f"/../{A}/f/{a_id}", f"/{A}/../{B}/f/{b_id}", f"/{B}/../{A}/f/{a_id}",
        f"/%2e%2e/{A}/f/{a_id}", f"/{A}/%2e%2e/{B}/f/{b_id}", f"/./{A}/f/{a_id}",
        f"/{A}%2Ff%2F{a_id}", f"/{A}%2ff/{a_id}", f"/{A}/f%2F{a_id}", f"/{A}%2F",
        f"/chi%2Dbo-a/f/{a_id}", f"//{A}/f/{a_id}", f"/{A.upper()}/f/{a_id}",
        f"/{A}%00/f/{a_id}", f"/{A}/f/%00", "/%00", "/%FF%FE/", "/chi-b%E1%BB%99-a/",
        "/%E2%80%AE%3Cscript%3E/", f"/{A}/f/%E2%80%AE", "/static/../webcells.py",
        "/static/..%2Fwebcells.py", f"/{A}/static/../localforms.py",
        f"/{A}/static/%2e%2e/localforms.py", "/static", "/favicon.ico", "/" + "a" * 5000,
        f"/{A}/f/" + "a" * 300, f"/{A}/f/{a_id}/submit", f"/{A}\\..\\{B}/f/{b_id}",
    ]
    for path in paths:
        status = _raw(server.port, "GET", path, b"", {})
        assert 400 <= status < 500, (path[:60], status)
    for method, path in (("POST", "/"), ("DELETE", f"/{A}/"), ("PUT", f"/{A}/f/{a_id}")):
        assert 400 <= _raw(server.port, method, path, b"", {}) < 500, (method, path)
    for line in (f"GET /chi-b\xe1\xbb\x99-a/f/{a_id} HTTP/1.1".encode("latin-1"),
                 b"GET /\xff\xfe/ HTTP/1.1", f"GET /{A}\x7f/f/{a_id} HTTP/1.1".encode()):
        assert 400 <= _raw_line(server.port, line + b"\r\nHost: x\r\n\r\n") < 500, line
    # the absolute form a proxy sends reaches the cell as its plain path does
    assert _raw(server.port, "GET", f"http://x/{A}/f/{a_id}", b"", {}) == 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert MemberClient(server.base_url).open_form(f"/{A}/f/{a_id}").page == "identify"


def test_cell_paths_are_plain_url_segments() -> None:
    for good in ("chi-bo-a", "a", "chi-bo-truong-tieu-hoc-long-tri-a1", "2023", "a" * 120):
        assert valid_cell_path(good), good
    for bad in ("", "static", "Chi-bo", "chi bo", "chi--bo", "-a", "a-", "a/b", "..", ".",
                "chi-bộ", "a%2fb", "a_b", "a" * 121, "f?x", "a\n"):
        assert not valid_cell_path(bad), bad
    assert strip_accents("Chi bộ Ấp Đông Hòa, Trường Tiểu học Long Trị A1") == \
        "Chi bo Ap Dong Hoa, Truong Tieu hoc Long Tri A1"
    assert strip_accents("Nguyễn Đức Thắng".casefold()) == "nguyen duc thang"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=130)
       | st.from_regex(r"[a-z0-9-]{1,130}", fullmatch=True))
def test_a_valid_cell_path_is_one_url_segment_as_it_is(path: str) -> None:
    if valid_cell_path(path):
        assert urllib.parse.quote(path, safe="") == path == path.lower().strip()
        assert path not in ("static", ".", "..") and 0 < len(path) <= 120


def test_a_wrong_cell_set_is_refused_whole_and_the_site_keeps_serving(
        server: CellServer, site: CellDispatcher, stores: dict[str, LocalForms]) -> None:
    link_a = open_round(stores[A])
    with pytest.raises(ValueError, match="'static'"):
        site.update({A: stores[A], "static": stores[B]})
    with pytest.raises(ValueError, match="two cell paths"):
        site.update({A: stores[A], "chi-bo-z": stores[A]})
    assert set(site.cells()) == {A, B, C}
    assert MemberClient(server.base_url).open_form(link_a).page == "identify"


def test_one_cells_broken_store_never_stops_the_others(
        server: CellServer, stores: dict[str, LocalForms], tmp_path: Path,
        clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    link_b = open_round(stores[B])
    # a store that cannot be read even for its session key, when its first member comes
    broken = store(tmp_path / "chi-bo-x", clock)
    broken.close_db()
    good_bytes = broken.db_path.read_bytes()
    broken.db_path.write_bytes(b"not a database" * 512)
    server.cells.add("chi-bo-x", WebCell(broken, "Chi bộ X"))
    phone = MemberClient(server.base_url)
    for _ in range(3):
        failed = phone.open_form("/chi-bo-x/")
        assert failed.status == 503 and failed.page == "error"
        assert "Traceback" not in failed.html and "sqlite" not in failed.html.lower()
        assert str(broken.db_path) not in failed.html
    assert [r.getMessage() for r in caplog.records if "chi-bo-x" in r.getMessage()] == [
        f"cannot serve cell 'chi-bo-x': {_first_line(caplog, 'chi-bo-x')}"]  # once a minute
    assert str(broken.db_path) in caplog.text  # the admin's log names the file
    home = phone.open_form("/")
    assert home.status == 200 and hrefs(home) == [f"/{B}/f/{form_id(link_b)}"]
    assert phone.open_form(link_b).page == "identify"

    broken.db_path.write_bytes(good_bytes)  # the admin restores the file: it serves again
    assert phone.open_form("/chi-bo-x/").page == "home"

    link_a = open_round(stores[A])  # a store that breaks under a running cell
    with __import__("sqlite3").connect(stores[A].db_path) as db:
        db.execute("ALTER TABLE forms RENAME TO broken")
    failed = phone.open_form(link_a)
    assert failed.status == 503 and "Traceback" not in failed.html
    home = phone.open_form("/")
    assert home.status == 200 and hrefs(home) == [f"/{B}/f/{form_id(link_b)}"]
    broken.close_db()


def _first_line(caplog: pytest.LogCaptureFixture, word: str) -> str:
    message = next(r.getMessage() for r in caplog.records if word in r.getMessage())
    return message.split(": ", 1)[1]


def test_the_server_caps_each_address_and_stops_cleanly(tmp_path: Path, clock: Clock) -> None:
    forms = store(tmp_path / A, clock)
    server = CellServer(CellDispatcher({A: forms}), threads=2, per_client=3, idle_timeout=2)
    base = server.start()
    link = open_round(forms)
    hogs = _hold(server.port, 3)  # the most 127.0.0.2 may hold
    time.sleep(0.3)
    assert _closed(_hold(server.port, 1, b"\r\n")[0])  # one too many: closed at once
    assert MemberClient(base, timeout=5).open_form(link).page == "identify"
    for hog in hogs:
        hog.close()
    server.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(base + "/", timeout=2)
    server.stop()  # twice is harmless
    forms.close_db()


def test_a_cells_round_through_the_tick_links_and_qr_under_its_path(tmp_path: Path) -> None:
    """The real tick on a cell's workbook with the cell's path: the link in the schedule
    and the QR code beside the workbook carry the path, and a member answers there."""
    assert qr_filename("2023-03", A) == "qr-chi-bo-a-2023-03.png"
    assert qr_filename("2023/03", "") == "qr-2023_03.png"
    cell = LocalCell(tmp_path / "a")
    assert cell.run("init") == 0
    cell.questions(question_rows(6))
    cell.members(list(MEMBERS))
    cell.schedule([{"round": "2023-03", "opens_at": "10/03/2023 14:00", "questions": 5}])
    opens = local("10/03/2023 14:00")
    clock = Clock(opens - timedelta(hours=1))
    backend = open_backend(cell.settings, clock=clock, cell_path=A)
    assert tick_once(backend, cell.settings, clock) is not None
    link = cell.rounds()["2023-03"]["form_link"]
    assert link.startswith(f"http://quiz.local/{A}/f/")  # the configured address + the path
    png = cell.workbook.parent / "qr-chi-bo-a-2023-03.png"
    expected = tmp_path / "expected.png"
    segno.make(link, error="m").save(str(expected), kind="png", scale=10, border=4)
    assert png.read_bytes() == expected.read_bytes()
    assert not (cell.workbook.parent / "qr-2023-03.png").exists()

    clock.now = opens
    assert tick_once(backend, cell.settings, clock) is not None
    assert backend.forms.public_url == f"http://quiz.local/{A}"
    site = CellDispatcher({A: backend.forms}, public_url="http://quiz.local")
    with CellServer(site) as server:
        assert site.public_url == "http://quiz.local"  # a configured address is kept
        phone = MemberClient(server.base_url)
        page = phone.open_form(link.removeprefix("http://quiz.local"))
        assert page.page == "identify"
        clock.advance(seconds=20)
        assert phone.start(MEMBERS[1]).status == 200
        questions = phone.last.questions  # type: ignore[union-attr]
        right = {q.title: [o for o in q.options if o.startswith("Phương án đúng")]
                 for q in questions}
        assert len(questions) == 5 and phone.submit(MEMBERS[1], right).page == "received"
    clock.now = opens + timedelta(minutes=10)
    for _ in range(2):  # closed, then ranked
        assert tick_once(backend, cell.settings, clock) is not None
    assert cell.rounds()["2023-03"]["status"] == "Đã xếp hạng"
    ranked = [row for row in cell.tab("Kết quả 2023-03") if row and row[0] == 1]
    assert [(row[1], row[2]) for row in ranked] == [(f"{MEMBERS[1]} — Về nhất", 10)]


FILE_LIMIT_SCRIPT = """
import logging, resource, sys, tempfile
from datetime import UTC, datetime
from pathlib import Path
from automation.localforms import LocalForms
from automation.webcells import CellDispatcher, CellServer
logging.basicConfig(level=logging.WARNING, stream=sys.stdout, format="%(message)s")
folder = Path(tempfile.mkdtemp())
def cell(i):
    return LocalForms(folder / str(i) / "f.sqlite", public_url="", clock=lambda: datetime.now(UTC))
site = CellDispatcher({"chi-bo-0": cell(0)})
with CellServer(site, threads=8):
    print("soft", resource.getrlimit(resource.RLIMIT_NOFILE)[0], flush=True)
    site.update({f"chi-bo-{i}": cell(i) for i in range(10)})
    site.update({f"chi-bo-{i}": cell(i) for i in range(10)})  # the same count: said once
"""


@pytest.mark.skipif(sys.platform == "win32", reason="no limit on open files to raise")
@pytest.mark.parametrize(("soft", "hard"), [(256, None), (1200, 1200)])
def test_the_server_raises_the_open_files_limit_or_says_it_is_too_low(
        soft: int, hard: int | None) -> None:
    import resource

    _, current_hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    hard_limit = hard if hard is not None else current_hard
    if hard is None and current_hard != resource.RLIM_INFINITY and current_hard < 2000:
        pytest.skip(f"this machine's hard limit ({current_hard}) leaves nothing to raise")

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard_limit))

    done = subprocess.run([sys.executable, "-c", FILE_LIMIT_SCRIPT], capture_output=True,
                          text=True, timeout=60, preexec_fn=limited,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    raised = int(next(line for line in lines if line.startswith("soft")).split()[1])
    warnings = [line for line in lines if "open files" in line]
    if hard is None:
        wanted = 65536 if current_hard == resource.RLIM_INFINITY else min(current_hard, 65536)
        assert raised == wanted and not warnings
    else:  # 10 cells × (2 × (8 + 2) + 1) + 1100 = 1310 files, more than 1200
        assert raised == 1200
        assert warnings == ["10 cells may need about 1310 open files, more than this process "
                            "may open (1200): some members would get an error page. Raise the "
                            "limit (ulimit -n, or LimitNOFILE= in a systemd unit) or serve "
                            "fewer threads"]
