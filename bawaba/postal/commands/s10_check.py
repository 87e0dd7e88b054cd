"""``bawaba postal s10-check``: validate identifiers read from stdin, one a line, as JSON lines."""

import json

NAME = "s10-check"
HELP = "Validate UPU S10 identifiers read from stdin (one a line, spaces allowed); print one JSON object a line."


def add_arguments(parser):
    pass


def run(options, stdin, stdout) -> int:
    from bawaba.postal import s10

    invalid = 0
    for line in stdin:
        text = line.strip()
        if not text:
            continue
        try:
            result = {"id": str(s10.parse(text)), "valid": True}
        except s10.S10Error as exc:
            invalid += 1
            result = {"id": s10.normalise(text) or text, "valid": False, "code": exc.code, "reason": str(exc)}
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0
