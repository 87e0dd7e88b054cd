"""A strict checker of Africa's Talking voice answers: only the documented elements, each with only its
documented attributes (required ones present, values of the documented kinds), prompts nested only where the
documentation allows (https://developers.africastalking.com/docs/voice/actions/*)."""

from xml.etree import ElementTree as ET

BOOL = {"true", "false"}

# element: (allowed attributes -> kind, required attributes, allowed children, text allowed)
ELEMENTS = {
    "Say": ({"voice": "text", "playBeep": "bool"}, set(), set(), True),
    "Play": ({"url": "url"}, {"url"}, set(), False),
    "GetDigits": ({"numDigits": "int", "timeout": "int", "finishOnKey": "key", "callbackUrl": "url"}, set(),
                  {"Say", "Play"}, False),
    "Record": ({"finishOnKey": "key", "maxLength": "int", "timeout": "int", "trimSilence": "bool",
                "playBeep": "bool", "callbackUrl": "url"}, set(), {"Say", "Play"}, False),
    "Dial": ({"phoneNumbers": "numbers", "record": "bool", "sequential": "bool", "callerId": "text",
              "ringbackTone": "url", "maxDuration": "int"}, {"phoneNumbers"}, set(), False),
    "Enqueue": ({"holdMusic": "url", "name": "text"}, set(), set(), False),
    "Dequeue": ({"phoneNumber": "number", "name": "text"}, {"phoneNumber"}, set(), False),
    "Redirect": ({}, set(), set(), True),
    "Reject": ({}, set(), set(), False),
    "Conference": ({}, set(), set(), False),
}
TERMINAL = {"Dial", "Enqueue", "Dequeue", "Redirect", "Reject"}


class InvalidAnswer(AssertionError):
    pass


def _check_value(element: str, name: str, kind: str, value: str) -> None:
    ok = {
        "bool": value in BOOL,
        "int": value.isdigit(),
        "key": value in set("0123456789*#"),
        "url": value.startswith(("http://", "https://")),
        "number": value.startswith("+") and value[1:].isdigit(),
        "numbers": all(part.startswith("+") and part[1:].isdigit() or "@" in part for part in value.split(",")),
        "text": bool(value.strip()),
    }[kind]
    if not ok:
        raise InvalidAnswer(f"{element}@{name}={value!r} is not a valid {kind}")


def check_answer(body: bytes) -> list[ET.Element]:
    """The actions of a valid answer; InvalidAnswer otherwise."""
    try:
        root = ET.fromstring(body)  # noqa: S314 - our own server's answer, in a test
    except ET.ParseError as exc:
        raise InvalidAnswer(f"not XML: {exc}") from exc
    if root.tag != "Response" or root.attrib:
        raise InvalidAnswer("the root must be a bare <Response>")
    actions = list(root)
    for index, action in enumerate(actions):
        _check_element(action, top=True)
        if action.tag in TERMINAL and index != len(actions) - 1:
            raise InvalidAnswer(f"<{action.tag}> ends the call's script: nothing may follow it")
    return actions


def _check_element(node: ET.Element, top: bool) -> None:
    if node.tag not in ELEMENTS:
        raise InvalidAnswer(f"<{node.tag}> is not a documented action")
    allowed, required, children, text = ELEMENTS[node.tag]
    for name, value in node.attrib.items():
        if name not in allowed:
            raise InvalidAnswer(f"<{node.tag}> has no attribute {name!r}")
        _check_value(node.tag, name, allowed[name], value)
    missing = required - set(node.attrib)
    if missing:
        raise InvalidAnswer(f"<{node.tag}> needs {sorted(missing)}")
    if not text and (node.text or "").strip():
        raise InvalidAnswer(f"<{node.tag}> takes no text")
    if node.tag in ("Say", "Redirect") and not (node.text or "").strip():
        raise InvalidAnswer(f"<{node.tag}> needs its text")
    if node.tag == "Redirect" and not node.text.strip().startswith(("http://", "https://")):
        raise InvalidAnswer("<Redirect> holds a URL")
    kids = list(node)
    for child in kids:
        if child.tag not in children:
            raise InvalidAnswer(f"<{child.tag}> cannot be inside <{node.tag}>")
        _check_element(child, top=False)
    if node.tag == "GetDigits" and len(kids) != 1:
        raise InvalidAnswer("<GetDigits> holds one prompt (Say or Play)")
