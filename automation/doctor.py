"""``automation doctor``: what is set up and what the admin must fix, one line each."""

from __future__ import annotations

import socket
from pathlib import Path

from automation.config import Settings
from automation.i18n import Text, count
from automation.ports import BackendError, InputError

Check = tuple[bool, str]

CONFIG_FOUND = Text("Cấu hình: {file}", "Settings: {file}")
CONFIG_DEFAULT = Text(
    "Cấu hình: không có tệp, dùng mặc định (chép config/settings.example.toml thành "
    "config/settings.toml để đổi)",
    "Settings: no file, using defaults (copy config/settings.example.toml to "
    "config/settings.toml to change them)",
)
WORKBOOK_MISSING = Text(
    "Bảng tính {path} chưa có: chạy `automation init` để tạo.",
    "The workbook {path} does not exist: run `automation init` to create it.",
)
WORKBOOK_OK = Text("Bảng tính {path}: {questions}, {members}, {rounds}",
                   "Workbook {path}: {questions}, {members}, {rounds}")
WORKBOOK_PROBLEMS = Text(
    "Bảng tính {path}: {problems} cần sửa (xem `automation check`).",
    "Workbook {path}: {problems} to fix (see `automation check`).",
)
FOLDER_NOT_WRITABLE = Text(
    "Không ghi được vào thư mục {folder}: cấp quyền ghi cho tài khoản chạy dịch vụ.",
    "Cannot write to the folder {folder}: give the service's account write access.",
)
FOLDER_OK = Text("Thư mục dữ liệu ghi được: {folder}", "Data folder is writable: {folder}")
PORT_BUSY = Text(
    "Cổng {port} trên {host} đang bị chương trình khác dùng: đổi [local] port.",
    "Port {port} on {host} is used by another program: change [local] port.",
)
PORT_OK = Text(
    "Biểu mẫu sẽ phục vụ tại {url} (cổng {port} còn trống)",
    "The form will be served at {url} (port {port} is free)",
)


def diagnose(settings: Settings) -> list[Check]:
    """Every check for the configured backend, in the order an admin fixes them."""
    language = settings.language
    checks: list[Check] = [
        (True, CONFIG_FOUND(language, file=settings.source))
        if settings.source
        else (True, CONFIG_DEFAULT(language))
    ]
    if settings.backend == "google":
        from automation.googlebackend import DoctorHalted
        from automation.googlebackend import diagnose as google_checks

        try:
            return checks + google_checks(settings, halt=True)
        except DoctorHalted as halted:  # Google did not answer: exit 3, every line shown
            raise DoctorHalted(checks + halted.lines) from None
    return checks + _local_checks(settings)


def _local_checks(settings: Settings) -> list[Check]:
    from automation.backends import public_url
    from automation.tick import load_bank
    from automation.workbook import LocalWorkbook

    language = settings.language
    path = settings.local.workbook
    checks: list[Check] = []
    folder = path.parent
    checks.append(
        (True, FOLDER_OK(language, folder=folder))
        if _writable(folder)
        else (False, FOLDER_NOT_WRITABLE(language, folder=folder))
    )
    if not path.exists():
        checks.append((False, WORKBOOK_MISSING(language, path=path)))
    else:
        try:
            _, bank = load_bank(LocalWorkbook(path, language=language), settings)
        except (InputError, BackendError) as problem:
            checks.append((False, str(problem)))
        else:
            if bank.problems:
                checks.append(
                    (False, WORKBOOK_PROBLEMS(language, path=path, problems=count(
                        language, len(bank.problems), "lỗi", "problem")))
                )
            else:
                checks.append(
                    (
                        True,
                        WORKBOOK_OK(
                            language,
                            path=path,
                            questions=count(language, len(bank.questions), "câu hỏi", "question"),
                            members=count(language, len(bank.members), "đảng viên", "member"),
                            rounds=count(language, len(bank.rounds), "kỳ thi", "round"),
                        ),
                    )
                )
    host, port = settings.local.host, settings.local.port
    if _port_free(host, port):
        checks.append((True, PORT_OK(language, url=public_url(settings), port=port)))
    else:
        checks.append((False, PORT_BUSY(language, host=host, port=port)))
    return checks


def _writable(folder: Path) -> bool:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        test = probe / ".automation-write-test"
        test.write_bytes(b"")
        test.unlink()
    except OSError:
        return False
    return True


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True
