"""The `bawaba` command: Django's manage.py under the platform's name (`bawaba routing train`, ...).

A command that meets a domain error — input it cannot use (a missing or unreadable file, a wrong value), an
object that does not exist, a state that refuses the action (a month not over yet) — prints one line on
stderr and exits with status 1. Anything else is a bug and keeps its traceback; `--traceback` (or
BAWABA_TRACEBACK=1) shows the traceback of a domain error too.
"""

import os
import sys

from django.utils.module_loading import import_string

# Domain errors raised by the apps' services, by dotted path: the command line stands above every app.
APP_ERRORS = (
    "bawaba.deployments.common.errors.Conflict",
    "bawaba.deployments.models.ImmutableDocumentError",
    "bawaba.servicedesk.services.TransitionNotAllowed",
    "bawaba.routing.classifier.ModelUnavailable",
)


def domain_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that say "this input or this state does not allow it", not "the code is wrong"."""
    from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

    errors: list[type[BaseException]] = [
        ValidationError, PermissionDenied, ObjectDoesNotExist, ValueError,  # ValueError: bad values, JSON, encodings
        FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError,
    ]
    for path in APP_ERRORS:
        try:
            errors.append(import_string(path))
        except ImportError:  # an app left out of INSTALLED_APPS or renamed: its errors keep their traceback
            continue
    return tuple(errors)


def one_line(exc: BaseException) -> str:
    """The error as one line: a validation error's messages (field by field), else the exception's text."""
    from django.core.exceptions import ValidationError

    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            text = "; ".join(f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
                             for name, messages in exc.message_dict.items())
        else:
            text = "; ".join(exc.messages)
    elif isinstance(exc, OSError) and exc.filename is not None:
        text = f"{exc.strerror or exc}: {exc.filename}"
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())


def wants_traceback(argv: list[str]) -> bool:
    return "--traceback" in argv or os.environ.get("BAWABA_TRACEBACK", "").lower() in ("1", "true", "yes")


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "bawaba"
    try:
        execute_from_command_line(argv)
    except Exception as exc:
        if wants_traceback(argv) or not isinstance(exc, domain_errors()):
            raise
        sys.stderr.write(f"bawaba: error: {one_line(exc)}\n")
        return 1
    return 0
