"""Settings: ``config/settings.toml`` read into plain dataclasses.

Every key has a default except the backend's own location (the Google
spreadsheet id may also be created by ``automation init``). Relative paths are
resolved from the project folder: the folder that holds ``config/`` when the
file lives in a folder named ``config``, otherwise the file's own folder.
"""

from __future__ import annotations

import itertools
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from automation.i18n import Text
from automation.ports import InputError

DEFAULT_PATH = Path("config") / "settings.toml"
ENV_CONFIG = "AUTOMATION_CONFIG"
ENV_ENDPOINT = "AUTOMATION_GOOGLE_ENDPOINT"

BAD_TOML = Text(
    "Tệp cấu hình {file} không đọc được: {error}. Hãy sửa theo config/settings.example.toml.",
    "The config file {file} cannot be read: {error}. Fix it after config/settings.example.toml.",
)
UNKNOWN_KEY = Text(
    "Tệp cấu hình {file}: khóa không biết '{key}'. Xem config/settings.example.toml.",
    "Config file {file}: unknown key '{key}'. See config/settings.example.toml.",
)
BAD_VALUE = Text(
    "Tệp cấu hình {file}: '{key}' = {value!r} không hợp lệ; {expected}.",
    "Config file {file}: '{key}' = {value!r} is not valid; {expected}.",
)


#: The form title when the settings give none, in the configured language.
DEFAULT_TITLE = Text(
    "Thi trắc nghiệm tìm hiểu chỉ thị, nghị quyết",
    "Quiz on the Party's directives and resolutions",
)


@dataclass(frozen=True)
class QuizSettings:
    title: str = DEFAULT_TITLE.vi
    questions_per_round: int = 10
    seconds_per_question: int = 30
    grace_seconds: int = 60
    identity: str = "roster"  # or "email"
    shuffle_options: bool = True
    prepare_hours_ahead: float = 24
    # Google: make the form a graded quiz that shows each member their score, the key and
    # the explanations right after they submit (ranking rule 8: off by default).
    show_score_after_submit: bool = False

    @property
    def grace(self) -> timedelta:
        return timedelta(seconds=self.grace_seconds)

    @property
    def prepare_ahead(self) -> timedelta:
        return timedelta(hours=self.prepare_hours_ahead)


@dataclass(frozen=True)
class LocalSettings:
    workbook: Path = Path("data/quiz.xlsx")
    host: str = "0.0.0.0"
    port: int = 8080
    public_url: str = ""  # the address phones use; guessed when blank


@dataclass(frozen=True)
class GoogleSettings:
    spreadsheet_id: str = ""
    credentials: Path = Path("config/credentials.json")
    share_with: tuple[str, ...] = ()
    api_endpoint: str = ""
    subject: str = ""  # service account only: the user to act as (domain-wide delegation)
    client_secrets: Path = Path("config/client_secret.json")  # for `automation auth`


@dataclass(frozen=True)
class RatingSettings:
    """``[rating]``: the monthly "6 tốt" rating and the year's proposal built from it.

    Thresholds are points (0–100), best level first; a row reaches a level when
    its points are at least the threshold, and the last level is everything
    below. Level names left empty take the defaults in the configured language
    (``automation.layout.MONTH_LEVELS`` / ``YEAR_LEVELS``); names given here are
    used whatever the language.
    """

    min_months: int = 6  # fewer rated months in the year: "Chưa đủ căn cứ"
    excellent_cap_percent: int = 20  # excellent proposals above this % of "tốt": a warning
    self_assessment: bool = False
    open_day: int = 25  # of the month, when the self-assessment form opens
    days_open: int = 5
    month_thresholds: tuple[float, ...] = (100.0, 80.0, 50.0)
    month_levels: tuple[str, ...] = ()  # four names, best first; empty: the defaults
    year_thresholds: tuple[float, ...] = (90.0, 70.0, 50.0)
    year_levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    backend: str = "local"
    language: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    quiz: QuizSettings = field(default_factory=QuizSettings)
    local: LocalSettings = field(default_factory=LocalSettings)
    google: GoogleSettings = field(default_factory=GoogleSettings)
    rating: RatingSettings = field(default_factory=RatingSettings)
    # A Party committee's service for many cells: the registry spreadsheet (its Google id or
    # link, or the workbook's path). When set, spreadsheet_id / [local] workbook are not used.
    registry: str = ""
    source: Path | None = None  # the file these came from, if any

    @property
    def tz(self) -> tzinfo:
        return ZoneInfo(self.timezone)

    @property
    def endpoint(self) -> str:
        """Base URL for every Google API call; blank means Google itself."""
        return os.environ.get(ENV_ENDPOINT, "").strip() or self.google.api_endpoint.strip()


_CHOICES = {
    "backend": ("local", "google"),
    "language": ("vi", "en"),
    "quiz.identity": ("roster", "email"),
}
_RANGES = {
    "quiz.questions_per_round": (5, 10),
    "quiz.seconds_per_question": (5, 600),
    "quiz.grace_seconds": (0, 3600),
    "quiz.prepare_hours_ahead": (0, 24 * 30),
    "local.port": (1, 65535),
    "rating.min_months": (1, 12),
    "rating.excellent_cap_percent": (0, 100),
    # Up to 28, so every month has the day.
    "rating.open_day": (1, 28),
    "rating.days_open": (1, 28),
}


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--config``, else ``$AUTOMATION_CONFIG``, else ``config/settings.toml``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_CONFIG, "").strip()
    return Path(env) if env else DEFAULT_PATH


def project_folder(config_file: Path) -> Path:
    folder = config_file.resolve().parent
    return folder.parent if folder.name == "config" else folder


def load(path: Path | None = None, *, language: str = "vi") -> Settings:
    """Read settings; a missing file at the default place means all defaults.

    An explicitly named file that is missing, bad TOML, an unknown key or a
    value of the wrong kind is an :class:`InputError` naming the file and key.
    """
    file = path or config_path()
    if not file.exists():
        if path is not None and path != DEFAULT_PATH:
            raise InputError(
                BAD_TOML(
                    language,
                    file=file,
                    error="không có tệp này" if language == "vi" else "no such file",
                )
            )
        return _resolve(Settings(), Path.cwd())
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(BAD_TOML(language, file=file, error=exc)) from exc
    language = data.get("language", language) if data.get("language") in ("vi", "en") else language
    settings = _build(data, file, language)
    return _resolve(replace(settings, source=file), project_folder(file))


def _build(data: dict[str, Any], file: Path, language: str) -> Settings:
    sections = {
        "quiz": QuizSettings,
        "local": LocalSettings,
        "google": GoogleSettings,
        "rating": RatingSettings,
    }
    top: dict[str, Any] = {}
    for key, value in data.items():
        if key in sections:
            if not isinstance(value, dict):
                raise InputError(
                    BAD_VALUE(
                        language,
                        file=file,
                        key=key,
                        value=value,
                        expected=(f"a [{key}] section" if language == "en"
                                  else f"phải là một mục [{key}]"),
                    )
                )
            if key == "rating":
                top[key] = _rating_section(value, file, language)
            else:
                top[key] = _section(sections[key], key, value, file, language)
        elif key in {f.name for f in fields(Settings)} - {"source", *sections}:
            top[key] = _value(key, value, str, file, language)
        else:
            raise InputError(UNKNOWN_KEY(language, file=file, key=key))
    settings = Settings(**top)
    if settings.language == "en" and "title" not in data.get("quiz", {}):
        settings = replace(settings, quiz=replace(settings.quiz, title=DEFAULT_TITLE.en))
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(
            BAD_VALUE(
                language,
                file=file,
                key="timezone",
                value=settings.timezone,
                expected=('e.g. "Asia/Ho_Chi_Minh"' if language == "en"
                          else 'ví dụ "Asia/Ho_Chi_Minh"'),
            )
        ) from exc
    return settings


def _section(cls: type, name: str, values: dict[str, Any], file: Path, language: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise InputError(UNKNOWN_KEY(language, file=file, key=f"{name}.{key}"))
        default = getattr(cls(), key)
        kind: type = type(default)
        if isinstance(default, Path):
            kind = Path
        kwargs[key] = _value(f"{name}.{key}", value, kind, file, language)
    return cls(**kwargs)


_LEVEL_COUNT = 4  # names of the levels; one threshold fewer
THRESHOLDS_EXPECTED = Text(
    "3 số giảm dần, lớn hơn 0 và không quá 100, ví dụ [100, 80, 50]",
    "3 numbers, highest first, above 0 and at most 100, e.g. [100, 80, 50]",
)
LEVELS_EXPECTED = Text(
    "[] (tên mặc định) hoặc 4 tên khác nhau, mức cao nhất trước",
    "[] (the default names) or 4 different names, best first",
)


def _rating_section(values: dict[str, Any], file: Path, language: str) -> RatingSettings:
    """``[rating]``: the plain keys as every section's, then the thresholds and level names."""
    lists = {"month_thresholds", "month_levels", "year_thresholds", "year_levels"}
    plain = {k: v for k, v in values.items() if k not in lists}
    settings = _section(RatingSettings, "rating", plain, file, language)
    kwargs: dict[str, Any] = {}
    for key in sorted(lists & values.keys()):
        value = values[key]
        thresholds = key.endswith("thresholds")
        parsed = _thresholds(value) if thresholds else _level_names(value)
        if parsed is None:
            expected = (THRESHOLDS_EXPECTED if thresholds else LEVELS_EXPECTED)(language)
            raise InputError(BAD_VALUE(language, file=file, key=f"rating.{key}", value=value,
                                       expected=expected))
        kwargs[key] = parsed
    return replace(settings, **kwargs)


def _thresholds(value: Any) -> tuple[float, ...] | None:
    """Three numbers in (0, 100], strictly falling; ``None`` otherwise."""
    numbers = value if isinstance(value, list) else []
    ok = (
        len(numbers) == _LEVEL_COUNT - 1
        and all(isinstance(n, int | float) and not isinstance(n, bool) for n in numbers)
        and all(0 < n <= 100 for n in numbers)
        and all(a > b for a, b in itertools.pairwise(numbers))
    )
    return tuple(float(n) for n in numbers) if ok else None


def _level_names(value: Any) -> tuple[str, ...] | None:
    """No names (the defaults), or four different non-blank ones; ``None`` otherwise."""
    if not isinstance(value, list):
        return None
    cleaned = [" ".join(n.split()) for n in value if isinstance(n, str)]
    ok = not value or (
        len(cleaned) == len(value) == _LEVEL_COUNT
        and all(cleaned)
        and len({n.casefold() for n in cleaned}) == _LEVEL_COUNT
    )
    return tuple(cleaned) if ok else None


def _value(key: str, value: Any, kind: type, file: Path, language: str) -> Any:
    def bad(expected: str) -> InputError:
        return InputError(BAD_VALUE(language, file=file, key=key, value=value, expected=expected))

    if kind is bool:
        if not isinstance(value, bool):
            raise bad("true / false")
    elif kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("số nguyên" if language == "vi" else "a whole number")
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad("một số" if language == "vi" else "a number")
        value = float(value)
    elif kind is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad('["a@example.com", ...]')
        value = tuple(v.strip() for v in value if v.strip())
    elif kind is Path:
        if not isinstance(value, str) or not value.strip():
            raise bad("đường dẫn tệp" if language == "vi" else "a file path")
        value = Path(value.strip())
    elif not isinstance(value, str):
        raise bad("chuỗi trong dấu ngoặc kép" if language == "vi" else "a quoted string")
    if key in _CHOICES and value not in _CHOICES[key]:
        raise bad(" / ".join(f'"{c}"' for c in _CHOICES[key]))
    if key in _RANGES:
        low, high = _RANGES[key]
        if not low <= value <= high:
            raise bad(f"{low}–{high}")
    return value


def _resolve(settings: Settings, base: Path) -> Settings:
    def absolute(path: Path) -> Path:
        return path if path.is_absolute() else base / path

    registry = settings.registry.strip()
    if registry and settings.backend == "local":
        registry = str(absolute(Path(registry)))
    return replace(
        settings,
        registry=registry,
        local=replace(settings.local, workbook=absolute(settings.local.workbook)),
        google=replace(
            settings.google,
            credentials=absolute(settings.google.credentials),
            client_secrets=absolute(settings.google.client_secrets),
        ),
    )
