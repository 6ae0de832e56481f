"""A real headless Chromium on a phone-sized screen fills in the local web form.

Uses the system's Chromium and chromedriver (Selenium Manager never downloads
anything). Without them the test is skipped, except in CI (``CI`` set), where
it must run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from automation.localforms import LocalForms
from automation.model import Member
from automation.ranking import rank_round, to_submission
from automation.webform import FormServer, MemberClient
from tests.test_localforms import MEMBERS, Q1, Q2, QUESTIONS, Clock, spec

pytestmark = pytest.mark.browser

CHROME_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
    "--disable-sync",
)
PHONE = {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3.0},
         "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
                      "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"}


def _find(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture
def driver() -> Iterator[object]:
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


def test_a_member_answers_on_a_phone_and_is_ranked(driver: object, tmp_path: Path) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support.ui import Select, WebDriverWait

    assert isinstance(driver, WebDriver)
    clock = Clock()
    forms = LocalForms(tmp_path / "quiz.forms.sqlite", public_url="", clock=clock)
    # A page being replaced makes elements found on it stale: look again, do not fail.
    wait = WebDriverWait(driver, 20, ignored_exceptions=(StaleElementReferenceException,))
    with FormServer(forms):
        ref = forms.build(spec())
        forms.open(ref.form_id, timedelta(minutes=2))
        other = MemberClient()
        other.open_form(ref.url)
        assert other.submit(MEMBERS[1], {Q1.text: ["13-7-2022"]}).status == 200

        driver.get(ref.url)
        Select(driver.find_element(By.ID, "who")).select_by_visible_text(MEMBERS[0])
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(lambda d: d.find_elements(By.ID, "countdown"))
        assert driver.execute_script("return window.innerWidth") == 390
        clock.advance(seconds=40)
        wanted = {Q1.text: {"01-6-2022"}, Q2.text: {"Chỉ thị số 22"}}  # half of Q2: wrong
        for fieldset in driver.find_elements(By.CSS_SELECTOR, "fieldset.question"):
            chosen = wanted[fieldset.get_attribute("data-title") or ""]
            for label in fieldset.find_elements(By.CSS_SELECTOR, "label.option"):
                box = label.find_element(By.TAG_NAME, "input")
                if box.get_attribute("data-text") in chosen:
                    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})",
                                          label)
                    label.click()
                    assert box.is_selected()
        driver.find_element(By.CSS_SELECTOR, "#quiz button[type=submit]").click()
        wait.until(lambda d: "Đã nộp bài" in d.find_element(By.TAG_NAME, "h1").text)
        assert "3.33/10 (1/2 câu đúng)" in driver.find_element(By.TAG_NAME, "main").text

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
