import threading

import pytest

from lotse.occupations import coder


class _FitWhileFitting:
    def __init__(self, *args, **kwargs):
        raise AssertionError("a second fit started while the first was running")


@pytest.fixture
def coder_being_fitted(monkeypatch):
    """As in the first minute after a server start: another thread is fitting the coder.

    A request that waits for that fit gets it after 5 s and then fails, not hangs.
    """
    fitting = threading.Lock()
    fitting.acquire()
    monkeypatch.setattr(coder, "_fitted", [])
    monkeypatch.setattr(coder, "_fitting", fitting)
    monkeypatch.setattr(coder, "Coder", _FitWhileFitting)
    timer = threading.Timer(5, fitting.release)
    timer.start()
    yield
    timer.cancel()
    if fitting.locked():
        fitting.release()
