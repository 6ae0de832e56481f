"""``python -m automation`` is the same as the ``automation`` command."""

from automation.cli import main

raise SystemExit(main())
