"""gunicorn settings: ``gunicorn lotse.config.wsgi -c python:lotse.config.gunicorn``.

The job-title coder takes 40 seconds and 650 MB to fit. Fitted once in the
master before the workers are forked, it is shared by all of them (its arrays
are only read, so their pages stay shared) instead of fitted once per worker.
While it fits, connections wait in the socket's queue.
"""

preload_app = True


def when_ready(server: object) -> None:
    """Runs in the master after the application is loaded and before any worker starts."""
    from lotse.occupations.coder import get_coder

    get_coder()
