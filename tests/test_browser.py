"""A real headless Chromium on a phone-sized screen fills in the local web form.

Uses the system's Chromium and chromedriver (Selenium Manager never downloads
anything). Without them the test is skipped, except in CI (``CI`` set), where
it must run.

Waiting is done on what the page says about itself (``body[data-page]``, read in
one script call), never on element handles kept across a navigation: Chrome
reports a handle of a page being replaced as stale, or as "Node with given id
does not belong to the document", depending on the moment.

``AUTOMATION_SCREENSHOTS=<folder>`` keeps the phone-sized screenshots of every
member page there (they are always taken, into the test's temporary folder).
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from automation.localforms import LocalForms
from automation.model import Member
from automation.ranking import rank_round, to_submission
from automation.webform import FormServer, MemberClient
from tests.test_localforms import CRITERIA, MEMBERS, Q1, Q2, QUESTIONS, Clock, spec, survey_spec

pytestmark = pytest.mark.browser

CHROME_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
    "--disable-sync", "--lang=vi",
)
PHONE = {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3.0},
         "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
                      "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"}
STATE = """return {page: document.body ? document.body.dataset.page || '' : '',
  ready: document.readyState, fresh: !window.__left,
  h1: (document.querySelector('h1') || {}).textContent || '',
  main: (document.querySelector('main') || {}).innerText || '',
  width: window.innerWidth, scroll: document.documentElement.scrollWidth};"""


def _find(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture
def driver() -> Iterator[Any]:
    browser = _find("chromium", "chromium-browser", "google-chrome")
    chromedriver = _find("chromedriver")
    if not browser or not chromedriver:
        reason = "Chromium and chromedriver are needed on PATH (Debian: apt install chromium " \
                 "chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_experimental_option("mobileEmulation", PHONE)
    chrome = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    chrome.set_page_load_timeout(30)
    yield chrome
    chrome.quit()


class Phone:
    """The browser as a member uses it, waiting on page states rather than elements."""

    def __init__(self, driver: Any, shots: Path) -> None:
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        self.shots = shots
        # Any driver error while a page is being replaced means "look again".
        self.wait = WebDriverWait(driver, 20, poll_frequency=0.1,
                                  ignored_exceptions=(WebDriverException,))

    def state(self) -> dict[str, Any]:
        return dict(self.driver.execute_script(STATE))

    def until(self, page: str) -> dict[str, Any]:
        """Wait for a fully loaded page of that kind, then return its state."""
        def arrived(_: Any) -> dict[str, Any] | None:
            state = self.state()
            done = state["page"] == page and state["ready"] == "complete" and state["fresh"]
            return state if done else None
        state: dict[str, Any] = self.wait.until(arrived)
        return state

    def go(self, url: str, page: str) -> dict[str, Any]:
        self.driver.get(url)
        return self.until(page)

    def act(self, action: Callable[[], None], page: str) -> dict[str, Any]:
        """Do something that loads a new page (a click, a submit) and wait for it."""
        self.driver.execute_script("window.__left = true;")  # the old page is marked
        action()
        return self.until(page)

    def click(self, css: str) -> None:
        from selenium.webdriver.common.by import By

        element = self.driver.find_element(By.CSS_SELECTOR, css)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def choose(self, wanted: dict[str, set[str]]) -> None:
        """Tick the options whose text is wanted, question by question, as a thumb would."""
        from selenium.webdriver.common.by import By

        for fieldset in self.driver.find_elements(By.CSS_SELECTOR, "fieldset.question"):
            chosen = wanted.get(fieldset.get_attribute("data-title") or "", set())
            for label in fieldset.find_elements(By.CSS_SELECTOR, "label.option"):
                box = label.find_element(By.TAG_NAME, "input")
                if box.get_attribute("data-text") in chosen:
                    self.driver.execute_script(
                        "arguments[0].scrollIntoView({block: 'center'})", label)
                    label.click()
                    assert box.is_selected()

    def shot(self, name: str) -> dict[str, Any]:
        """A full-length screenshot at phone size; the page must not scroll sideways."""
        state = self.state()
        assert state["scroll"] <= state["width"] == 390, f"{name} is wider than the phone"
        png = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        self.shots.mkdir(parents=True, exist_ok=True)
        (self.shots / f"{name}.png").write_bytes(base64.b64decode(png["data"]))
        return state


def _shots_folder(tmp_path: Path) -> Path:
    kept = os.environ.get("AUTOMATION_SCREENSHOTS")
    return Path(kept) if kept else tmp_path / "screens"


def test_a_member_answers_on_a_phone_and_is_ranked(driver: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    clock = Clock()
    forms = LocalForms(tmp_path / "quiz.forms.sqlite", public_url="", clock=clock)
    phone = Phone(driver, tmp_path / "screens")
    with FormServer(forms):
        ref = forms.build(spec())
        forms.open(ref.form_id, timedelta(minutes=2))
        other = MemberClient()
        other.open_form(ref.url)
        assert other.submit(MEMBERS[1], {Q1.text: ["13-7-2022"]}).status == 200

        phone.go(ref.url, "identify")
        Select(driver.find_element(By.ID, "who")).select_by_visible_text(MEMBERS[0])
        state = phone.act(lambda: phone.click("button[type=submit]"), "quiz")
        assert state["width"] == 390
        clock.advance(seconds=40)
        phone.choose({Q1.text: {"01-6-2022"}, Q2.text: {"Chỉ thị số 22"}})  # half of Q2: wrong
        received = phone.act(lambda: phone.click("#quiz button[type=submit]"), "received")
        assert "Đã nhận bài của đồng chí lúc 08:00:40." in received["main"]
        assert "/10" not in received["main"]

        clock.advance(minutes=2)  # the deadline has passed: the same link shows the score
        review = phone.go(ref.url, "review")
        assert "3.33/10 (1/2 câu đúng)" in review["main"]

    responses = forms.responses(ref.form_id)
    form = forms.form(ref.form_id)
    assert form is not None and form.deadline is not None and form.opened_at is not None
    result = rank_round(
        round_id="2026-03", questions=QUESTIONS,
        members=[Member(i + 2, name) for i, name in enumerate(MEMBERS)],
        submissions=[to_submission(r, QUESTIONS) for r in responses],
        opened_at=form.opened_at, deadline=form.deadline,
    )
    assert [(e.name, e.rank, e.score, e.correct) for e in result.ranked] == [
        (MEMBERS[0], 1, 3.33, 1), (MEMBERS[1], 2, 0.0, 0)]
    assert result.ranked[0].duration == timedelta(seconds=40)
    forms.close_db()


def test_every_member_page_fits_a_phone(driver: Any, tmp_path: Path) -> None:
    """Each page a member can meet, in Vietnamese at 390×844, full length: what it says,
    and a screenshot to look at."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    clock = Clock()
    forms = LocalForms(tmp_path / "quiz.forms.sqlite", public_url="", clock=clock)
    phone = Phone(driver, _shots_folder(tmp_path))
    long_name = "Nguyễn Thị Phương Thảo Huyền Trang"
    names = (*MEMBERS, long_name)
    timing = {"seconds_per_question": 30, "grace_seconds": 60, "member_names": names}
    with FormServer(forms):
        waiting = forms.build(spec(round_id="2026-04", opens_at=clock() + timedelta(hours=2),
                                   **timing))
        assert "Chưa mở: biểu mẫu sẽ mở lúc 05/03/2026 10:00:00." in phone.go(
            waiting.url, "not_open")["main"]
        phone.shot("01-not-open")

        ref = forms.build(spec(ask_code=True, **timing))
        forms.open(ref.form_id, timedelta(seconds=2 * 30 + 60))
        identify = phone.go(ref.url, "identify")
        assert "Hạn nộp bài: 08:02:00" in identify["main"]
        phone.shot("02-identify-with-code")
        Select(driver.find_element(By.ID, "who")).select_by_visible_text(long_name)
        driver.find_element(By.ID, "code").send_keys("7391")
        phone.act(lambda: phone.click("button[type=submit]"), "quiz")
        phone.shot("03-quiz")
        clock.advance(seconds=20)
        phone.choose({Q1.text: {"01-6-2022"}, Q2.text: {"Chỉ thị số 22", "Kết luận số 01"}})
        received = phone.act(lambda: phone.click("#quiz button[type=submit]"), "received")
        assert "lúc 08:00:20" in received["main"] and "sau 08:02:00" in received["main"]
        phone.shot("04-received")
        assert [r.code for r in forms.responses(ref.form_id)] == ["7391"]

        driver.delete_all_cookies()  # another member, on a phone without a code field
        plain = forms.build(spec(round_id="2026-05", **timing))
        forms.open(plain.form_id, timedelta(minutes=2))
        phone.go(plain.url, "identify")
        phone.shot("05-identify")
        Select(driver.find_element(By.ID, "who")).select_by_visible_text(MEMBERS[1])
        phone.act(lambda: phone.click("button[type=submit]"), "quiz")
        clock.advance(minutes=2, seconds=5)  # past the deadline, not closed yet
        late = phone.act(lambda: phone.click("#quiz button[type=submit]"), "late")
        assert "nộp muộn" in late["main"]
        phone.shot("06-late")
        driver.back()
        phone.until("review")  # Back shows the round as it is now, not the old quiz
        driver.delete_all_cookies()
        closing = forms.build(spec(round_id="2026-06", **timing))
        forms.open(closing.form_id, timedelta(minutes=2))
        phone.go(closing.url, "identify")
        Select(driver.find_element(By.ID, "who")).select_by_visible_text(MEMBERS[2])
        phone.act(lambda: phone.click("button[type=submit]"), "quiz")
        forms.close(closing.form_id)
        refused = phone.act(lambda: phone.click("#quiz button[type=submit]"), "refused")
        assert "không được ghi lại" in refused["main"]
        phone.shot("07-closed")

        clock.advance(minutes=1)
        driver.delete_all_cookies()
        review = phone.go(ref.url, "review")  # the first phone's member is gone: no summary
        assert "✓ Đáp án đúng" in review["main"]
        phone.shot("08-review")

        survey = forms.build(survey_spec(member_names=names,
                                         description="Đồng chí tự đánh giá theo các tiêu chí."))
        forms.open(survey.form_id, timedelta(days=5))
        phone.go(survey.url, "identify")
        phone.shot("09-survey-identify")
        Select(driver.find_element(By.ID, "who")).select_by_visible_text(long_name)
        state = phone.act(lambda: phone.click("button[type=submit]"), "survey")
        assert "Thời gian còn lại" not in state["main"]
        phone.choose({CRITERIA[0].title: {"Đạt"}, CRITERIA[1].title: {"Chưa đạt"}})
        driver.find_element(By.NAME, "q2").send_keys("Cần dành thêm thời gian học tập.")
        phone.shot("10-survey")
        done = phone.act(lambda: phone.click("#quiz button[type=submit]"), "received")
        assert "lúc 05/03/2026 08:03:25" in done["main"] and "điểm" not in done["main"]
        phone.shot("11-survey-received")
    forms.close_db()


def test_a_member_answers_under_a_cell_path_on_a_phone(driver: Any, tmp_path: Path) -> None:
    """Two cells on one server: from the committee's page a member opens her cell's round
    and answers; every page and cookie stays under the cell's path. Screenshots kept."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from automation.webcells import CellDispatcher, CellServer, WebCell

    clock = Clock()
    long_tri = LocalForms(tmp_path / "a" / "quiz.forms.sqlite", public_url="", clock=clock)
    binh_hoa = LocalForms(tmp_path / "b" / "quiz.forms.sqlite", public_url="", clock=clock)
    site = CellDispatcher({
        "chi-bo-truong-tieu-hoc-long-tri-a1": WebCell(long_tri,
                                                     "Chi bộ Trường Tiểu học Long Trị A1"),
        "chi-bo-ap-binh-hoa": WebCell(binh_hoa, "Chi bộ Ấp Bình Hòa"),
    })
    phone = Phone(driver, _shots_folder(tmp_path) / "cells")
    with CellServer(site) as server:
        ref = long_tri.build(spec(seconds_per_question=30, grace_seconds=60))
        long_tri.open(ref.form_id, timedelta(seconds=2 * 30 + 60))
        other = binh_hoa.build(spec(title="Thi trắc nghiệm tháng 3 (Ấp Bình Hòa)"))
        binh_hoa.open(other.form_id, timedelta(minutes=2))

        home = phone.go(server.base_url + "/", "cells")
        assert home["main"].index("Ấp Bình Hòa") < home["main"].index("Long Trị A1")
        phone.shot("01-committee-home")
        phone.act(lambda: phone.click(f'a[href="/chi-bo-truong-tieu-hoc-long-tri-a1/f/'
                                      f'{ref.form_id}"]'), "identify")
        assert driver.current_url == ref.url
        phone.shot("02-cell-identify")
        Select(driver.find_element(By.ID, "who")).select_by_visible_text(MEMBERS[0])
        phone.act(lambda: phone.click("button[type=submit]"), "quiz")
        assert driver.current_url == ref.url  # the redirect stayed under the cell's path
        phone.shot("03-cell-quiz")
        clock.advance(seconds=15)
        phone.choose({Q1.text: {"01-6-2022"}, Q2.text: {"Chỉ thị số 22", "Kết luận số 01"}})
        received = phone.act(lambda: phone.click("#quiz button[type=submit]"), "received")
        assert "Đã nhận bài của đồng chí lúc 08:00:15." in received["main"]
        phone.shot("04-cell-received")
        styled = driver.execute_script(
            "return getComputedStyle(document.querySelector('.top')).backgroundColor")
        assert styled == "rgb(179, 38, 30)"  # the style sheet came from under the path
        assert {(c["name"], c["path"]) for c in driver.get_cookies()} == {
            ("quiz_session", "/chi-bo-truong-tieu-hoc-long-tri-a1"),
            ("quiz_device", "/chi-bo-truong-tieu-hoc-long-tri-a1")}

        phone.go(other.url, "identify")  # the same phone in the other cell: a fresh start
        assert "Đảng viên:" not in phone.state()["main"]
        missing = phone.go(server.base_url + "/chi-bo-khong-co/f/" + ref.form_id, "not_found")
        assert "Không tìm thấy kỳ thi" in missing["h1"]
        phone.shot("05-unknown-cell")
    [response] = long_tri.responses(ref.form_id)
    assert response.respondent == MEMBERS[0]
    long_tri.close_db()
    binh_hoa.close_db()
