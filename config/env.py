"""Settings helpers that read the environment and fail loudly on bad values, and the
development secret key."""

import contextlib
import os
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

#: While debugging without SECRET_KEY: the key made once for this checkout (var/ is not in git).
DEV_SECRET_KEY_FILE = Path(__file__).resolve().parent.parent / "var" / "dev-secret-key"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """A string, or the contents of the file named by NAME_FILE (for container secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def dev_secret_key(path: Path) -> str:
    """The development key kept in `path`, or, when there is none yet, a random key for this
    process only. Writes nothing: settings call this, and reading settings has no effects."""
    try:
        kept = path.read_text().strip()
    except FileNotFoundError:
        kept = ""
    return kept or get_random_secret_key()


def keep_dev_secret_key(path: Path = DEV_SECRET_KEY_FILE) -> None:
    """Make the development key file if it is wanted and missing, for the entry points
    (manage.py, config/wsgi.py, config/asgi.py) to call before the settings are read.

    Wanted only while debugging without SECRET_KEY (or SECRET_KEY_FILE); values the settings
    would refuse are left for them to report. The key is written to a temporary file and linked
    into place, so a concurrent reader sees the whole key or no file, and two processes racing
    here agree on one key. Readable by its owner only.
    """
    if os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE"):
        return
    try:
        if not env_bool("DEBUG", True):
            return
    except ImproperlyConfigured:
        return
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(get_random_secret_key())
        # When another process made it first, its key is the one.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
