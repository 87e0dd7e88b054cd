import contextlib

import pytest

from bawaba.notifications.models import OutboundMessage, State

from .kannel import Gate, Kannel, missing_binaries, wait_for

GATEWAY_TOKEN = "gateway-secret-for-kannel-tests"
DLR_TOKEN = "dlr-secret-for-tests"


@pytest.fixture(scope="session")
def kannel(live_server, tmp_path_factory):
    """bearerbox + smsbox + the fake SMSC on loopback, for the whole test session. Citizens' SMS reach the
    platform's SMS channel (the live server) through smsbox's get-url, as in production."""
    missing = missing_binaries()
    if missing:
        pytest.skip(f"Kannel is not installed ({', '.join(missing)}): run scripts/ensure-kannel")
    get_url = f"{live_server.url}/channels/sms?from=%p&text=%a&token={GATEWAY_TOKEN}"
    gateway = Kannel(tmp_path_factory.mktemp("kannel"), get_url)
    try:
        gateway.start()
    except Exception:
        print(gateway.logs())  # noqa: T201 - shown with the failure
        gateway.stop()
        raise
    yield gateway
    gateway.stop()


@pytest.fixture
def through_kannel(kannel, live_server, settings):
    """The platform configured to send SMS through the test Kannel, its delivery reports to the live server."""
    settings.SMS_PROVIDER = "kannel"
    settings.KANNEL_SENDSMS_URL = kannel.sendsms_url
    settings.KANNEL_USERNAME, settings.KANNEL_PASSWORD = kannel.USERNAME, kannel.PASSWORD
    settings.SMS_SENDER = "Bawaba"
    settings.NOTIFICATION_CALLBACK_BASE_URL = live_server.url
    settings.NOTIFICATION_DLR_TOKEN = DLR_TOKEN
    settings.CHANNEL_GATEWAY_TOKEN = GATEWAY_TOKEN
    with Gate():
        yield kannel
        # Let every delivery report of this test arrive (the SMSC's acceptance, 8, and the delivery, 1, in either
        # order) while the gate still holds: one arriving later would meet the database being emptied.
        with contextlib.suppress(TimeoutError):
            wait_for(_reports_complete, timeout=15, what="pending delivery reports")


def _reports_complete() -> bool:
    accepted = OutboundMessage.objects.filter(provider="kannel", sent_at__isnull=False)
    return all({"kannel:1", "kannel:8"} <= set(message.reports.values_list("status", flat=True))
               or message.state == State.FAILED for message in accepted)


@pytest.fixture(autouse=True)
def _notification_settings(settings):
    settings.PUBLIC_BASE_URL = "https://bawaba.example"
    settings.NOTIFICATION_SEND_AT_ONCE = False  # the tests send with send_due(), at the time they choose
    settings.SMS_PROVIDER = "outbox"
