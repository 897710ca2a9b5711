"""Where the project's own data lives. The builder runs from a checkout (``make build`` installs it editable)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = PROJECT_ROOT / "schemas"
DEFAULT_COURSE = PROJECT_ROOT / "courses" / "osee"
TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
