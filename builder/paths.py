"""Where the project's own data lives; the builder runs from a checkout (installed editable)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = PROJECT_ROOT / "schemas"
DEFAULT_COURSE = PROJECT_ROOT / "courses" / "osee"
TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
