import pytest


@pytest.fixture(autouse=True)
def _small_fibre_demo(monkeypatch):
    """`demo load` in these tests loads a small fibre programme (7 work orders per contractor) unless a test asks
    for another size with --fibre-orders: the service-centre tests need it present, not big."""
    from bawaba.demo.management.commands import demo

    monkeypatch.setattr(demo, "FIBRE_ORDERS", 4)



@pytest.fixture(autouse=True)
def _small_postal_demo(monkeypatch):
    """`demo load` in these tests accepts a few postal items (the postal demo has its own tests)."""
    from bawaba.demo.management.commands import demo

    monkeypatch.setattr(demo, "POSTAL_ITEMS", 8)
