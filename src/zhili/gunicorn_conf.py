"""gunicorn settings for ``zhili serve``: load once, build the search index, then fork.

Workers inherit the master's search index (copy-on-write), so no worker makes
the first citizen of the day wait for a cold build.
"""

from __future__ import annotations

from typing import Any

preload_app = True


def when_ready(server: Any) -> None:
    # Runs in the master after the app is loaded and before the workers fork.
    from django.db import connections

    from zhili.catalogue.search import popular_items

    try:
        popular_items(limit=1)
    except Exception as exc:  # an unmigrated database must not stop the server
        server.log.warning("search index not built before fork: %s", exc)
    finally:
        # A connection must never be shared across a fork.
        connections.close_all()
