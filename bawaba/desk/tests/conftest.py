import pytest

PASSWORD = "correct horse 42"


@pytest.fixture
def login(client):
    """Sign a member of staff in with the real login view, return the client."""

    def sign_in(user):
        client.logout()
        # English pages: the source strings, stable whatever translations are added later.
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, "sign-in failed"
        return client

    return sign_in


@pytest.fixture
def frozen_minute(monkeypatch):
    """Keep the queue's one-minute re-render bucket still so ETags only change with the data."""
    from bawaba.desk import views

    monkeypatch.setattr(views, "_clock_bucket", lambda: 1)
