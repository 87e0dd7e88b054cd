"""SMS arithmetic: which alphabet a text needs and how many segments it costs.

GSM 03.38 (7-bit) carries 160 characters in one SMS, 153 a segment when concatenated; a character of its
extension table counts twice. Any other character (Arabic, "ê", "ç"...) makes the whole text UCS-2:
70 characters in one SMS, 67 a segment."""

import math

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def segments(text: str) -> int:
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        return 1 if units <= 160 else math.ceil(units / 153)
    units = len(text.encode("utf-16-be")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)
