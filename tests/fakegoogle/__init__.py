"""A fake Google (Sheets v4, Drive v3, Forms v1, OAuth) over real HTTP, as strict as Google.

See README.md. Start it in-process with FakeGoogle.start() (or the `fake_google` pytest
fixture), or as `python -m tests.fakegoogle --port N [--state FILE]`.
"""

from .errors import ApiError
from .fake import FakeGoogle

__all__ = ["ApiError", "FakeGoogle"]
