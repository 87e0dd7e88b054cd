"""Server push for the platform's screens (docs/live.md).

    from bawaba import live
    live.publish("user:42", "screen_pop", {"phone": "+213550123456"})   # inside the change's transaction

Every connected screen subscribed to the topic receives the event once, in order, even across a reconnect.
"""


def publish(topic: str, kind: str, payload: dict | None = None) -> None:
    """Record an event for `topic` in the current transaction; it is delivered once that transaction commits."""
    from .events import publish as _publish

    _publish([topic], kind, payload)


def publish_many(topics, kind: str, payload: dict | None = None) -> None:
    from .events import publish as _publish

    _publish(list(topics), kind, payload)
