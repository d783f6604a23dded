"""Fixtures shared by the offer compass's tests."""

from typing import Any

import pytest

from lotse.network.demo import load_demo_data
from lotse.network.regions import load_regions
from lotse.offers.demo import load_demo_offers


@pytest.fixture
def demo_site(transactional_db: Any) -> None:
    """Live-server tests flush the database afterwards, so load the demo data again."""
    load_regions()
    load_demo_data()
    load_demo_offers()
