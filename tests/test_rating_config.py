"""The ``[rating]`` section of the settings file."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation import config
from automation.config import RatingSettings
from automation.ports import InputError

EXAMPLE = Path(__file__).resolve().parents[1] / "config" / "settings.example.toml"


def load(tmp_path: Path, text: str, language: str = "vi") -> config.Settings:
    file = tmp_path / "settings.toml"
    file.write_text(text, encoding="utf-8")
    return config.load(file, language=language)


def test_defaults_follow_the_contract(tmp_path: Path) -> None:
    rating = load(tmp_path, "").rating
    assert rating == RatingSettings()
    assert (rating.min_months, rating.excellent_cap_percent, rating.self_assessment,
            rating.open_day, rating.days_open) == (6, 20, False, 25, 5)
    assert rating.month_thresholds == (100, 80, 50)
    assert rating.year_thresholds == (90, 70, 50)
    assert rating.month_levels == rating.year_levels == ()


def test_the_example_file_reads_as_the_defaults() -> None:
    assert config.load(EXAMPLE).rating == RatingSettings()


def test_every_key_can_be_set(tmp_path: Path) -> None:
    rating = load(tmp_path, """
[rating]
min_months = 4
excellent_cap_percent = 25
self_assessment = true
open_day = 20
days_open = 7
month_thresholds = [95, 75.5, 40]
month_levels = ["Xuất sắc", " Khá ", "Trung bình", "Yếu"]
year_thresholds = [85, 65, 45]
year_levels = ["A", "B", "C", "D"]
""").rating
    assert rating == RatingSettings(
        min_months=4, excellent_cap_percent=25, self_assessment=True, open_day=20, days_open=7,
        month_thresholds=(95, 75.5, 40), month_levels=("Xuất sắc", "Khá", "Trung bình", "Yếu"),
        year_thresholds=(85, 65, 45), year_levels=("A", "B", "C", "D"),
    )


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("min_months = 0", "rating.min_months"),
        ("min_months = 13", "rating.min_months"),
        ('min_months = "6"', "rating.min_months"),
        ("excellent_cap_percent = 101", "rating.excellent_cap_percent"),
        ("self_assessment = 1", "rating.self_assessment"),
        ("open_day = 31", "rating.open_day"),
        ("days_open = 0", "rating.days_open"),
        ("month_thresholds = [80, 100, 50]", "rating.month_thresholds"),
        ("month_thresholds = [100, 80]", "rating.month_thresholds"),
        ("month_thresholds = [100, 80, 0]", "rating.month_thresholds"),
        ("year_thresholds = [90, 70, 70]", "rating.year_thresholds"),
        ("year_thresholds = [120, 70, 50]", "rating.year_thresholds"),
        ('year_thresholds = ["90", 70, 50]', "rating.year_thresholds"),
        ("year_thresholds = 90", "rating.year_thresholds"),
        ('month_levels = ["A", "B", "C"]', "rating.month_levels"),
        ('month_levels = ["A", "B", "a", "D"]', "rating.month_levels"),
        ('year_levels = ["A", "B", " ", "D"]', "rating.year_levels"),
        ('year_levels = "A"', "rating.year_levels"),
        ("month_level = []", "rating.month_level"),
    ],
)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_bad_value_names_the_file_and_the_key(
    tmp_path: Path, line: str, key: str, language: str
) -> None:
    with pytest.raises(InputError) as raised:
        load(tmp_path, f'language = "{language}"\n[rating]\n{line}\n')
    message = str(raised.value)
    assert f"'{key}'" in message and "settings.toml" in message


def test_a_bad_list_says_what_is_expected_in_the_configured_language(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        load(tmp_path, 'language = "en"\n[rating]\nmonth_thresholds = [1, 2, 3]\n')
    assert "highest first" in str(raised.value)
    with pytest.raises(InputError) as raised:
        load(tmp_path, "[rating]\nyear_levels = [1, 2, 3, 4]\n")
    assert "4 tên khác nhau" in str(raised.value)
