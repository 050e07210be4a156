"""Django's PostgreSQL backend that starts the embedded server on first use.

Every way Django reaches the server goes through ``ensure_server()`` first: a connection
(``get_connection_params``, which connection pools use too), the connection to the ``postgres``
database that creates and drops test databases (``_nodb_cursor``), and ``dbshell``. It fills the
server's address into ``settings_dict``, which is also ``settings.DATABASES[alias]``, so code
reading either afterwards (config/backups.py, tests) sees the real host and port.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db.backends.postgresql import base, client
from django.db.utils import OperationalError

from config.database import embedded_address


class DatabaseClient(client.DatabaseClient):
    connection: DatabaseWrapper

    def runshell(self, parameters: Iterable[str]) -> None:
        self.connection.ensure_server()
        super().runshell(parameters)


class DatabaseWrapper(base.DatabaseWrapper):
    client_class = DatabaseClient

    def ensure_server(self) -> None:
        """Start or join the embedded server (once per process) and record its address."""
        data_dir = Path(self.settings_dict["DATA_DIR"])
        try:
            host, port = embedded_address(data_dir)
        except Exception as exc:
            # A database error, as a server that does not answer would be: /readyz says 503,
            # and the next connection tries again.
            raise OperationalError(
                f"The embedded PostgreSQL server in {data_dir} could not be started: {exc}"
            ) from exc
        self.settings_dict["HOST"] = host
        self.settings_dict["PORT"] = port

    def get_connection_params(self) -> dict[str, Any]:
        self.ensure_server()
        return super().get_connection_params()

    @contextmanager
    def _nodb_cursor(self) -> Iterator[Any]:
        # Django copies settings_dict for this connection; the address must be in it first.
        self.ensure_server()
        with super()._nodb_cursor() as cursor:
            yield cursor
