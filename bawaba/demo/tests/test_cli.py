"""The `bawaba` command line: a domain error is one line on stderr and a non-zero status, a bug a traceback;
and `scripts/dev` prints the address it really serves."""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from bawaba.cli import main, one_line
from bawaba.deployments.common.errors import Conflict

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """A command run from the command line closes the database connections when it ends (its process ends
    next); run in this process, it would close the test's own transaction (on PostgreSQL)."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def run(capsys, *args) -> tuple[int, str]:
    """`bawaba ARGS` in this process (on the test database): its exit status and what it wrote on stderr."""
    try:
        status = main(["bawaba", *args])
    except SystemExit as exc:  # Django's CommandError and argparse's errors exit
        status = exc.code
    return status, capsys.readouterr().err


def assert_one_line(status, err, *expected):
    assert status != 0
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for text in expected:
        assert text in lines[0]


@pytest.fixture
def contract(orgs):
    from bawaba.deployments.work import setup as work_setup
    from bawaba.orgs.services import do_onboard_organisation

    operator = orgs["algerie-telecom"]
    programme = work_setup.do_create_programme(operator, {"code": "cli", "name_fr": "CLI"})
    contractor = do_onboard_organisation({"slug": "cli-co", "kind": "contractor", "name_fr": "CLI SARL"})
    return work_setup.do_create_contract(programme, contractor, work_setup.do_publish_price_schedule(operator),
                                       reference="CT-CLI-1", wilayas=["16"], starts_on="2026-01-01")


def test_onboarding_a_missing_file_is_one_line(db, capsys, tmp_path):
    assert_one_line(*run(capsys, "orgs", "onboard", str(tmp_path / "missing.json")), "missing.json")


def test_onboarding_a_broken_specification_is_one_line(db, capsys, tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text("{not json", encoding="utf-8")
    assert_one_line(*run(capsys, "orgs", "onboard", str(spec)), "spec.json")
    spec.write_text('{"slug": "x"}', encoding="utf-8")
    assert_one_line(*run(capsys, "orgs", "onboard", str(spec)))


def test_fibre_import_of_an_unknown_contract_a_folder_or_a_binary_file_is_one_line(contract, capsys, tmp_path):
    assert_one_line(*run(capsys, "fibre_import", "NO-SUCH-CONTRACT", str(tmp_path / "x.csv")), "NO-SUCH-CONTRACT")
    assert_one_line(*run(capsys, "fibre_import", "CT-CLI-1", str(tmp_path)), str(tmp_path))
    binary = tmp_path / "orders.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    assert_one_line(*run(capsys, "fibre_import", "CT-CLI-1", str(binary)))


def test_fibre_import_lists_each_wrong_row_without_a_traceback(contract, capsys, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text("site_code;site_kind;wilaya;latitude;longitude;work_order;items\n"
                      "S1;castle;16;36.7;3.0;WO-1;SRV-01:1\n", encoding="utf-8")
    status, err = run(capsys, "fibre_import", "CT-CLI-1", str(orders))
    assert status == 1 and "Traceback" not in err
    assert err.splitlines()[0].startswith("line 2, site_kind:")
    assert "nothing was imported" in err.splitlines()[-1]


def test_fibre_statements_for_a_month_that_does_not_exist_is_one_line(db, capsys):
    assert_one_line(*run(capsys, "fibre_statements", "2026-13"), "2026-10")


def test_fibre_statements_for_a_month_not_over_is_one_line_from_the_service(db, capsys):
    # The billing service refuses (Conflict, a 409 on the web): the command line says it in one line.
    assert_one_line(*run(capsys, "fibre_statements", "2999-01"), "bawaba: error:")


def test_demo_load_with_a_moment_that_is_not_a_time_says_which_argument(db, capsys):
    status, err = run(capsys, "demo", "load", "--now", "garbage")
    assert status == 2 and "Traceback" not in err
    assert "argument --now: invalid ISO time with its offset" in err.strip().splitlines()[-1]


def test_routing_classify_of_text_that_is_not_utf8_ends_with_one_line(db, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe abc\n"), encoding="utf-8"))
    status, err = run(capsys, "routing", "classify")
    assert status == 1 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("bawaba: error: 'utf-8' codec can't decode")


def test_traceback_is_shown_on_demand(db, capsys, monkeypatch):
    with pytest.raises(Conflict):
        main(["bawaba", "fibre_statements", "2999-01", "--traceback"])
    monkeypatch.setenv("BAWABA_TRACEBACK", "1")
    with pytest.raises(Conflict):
        main(["bawaba", "fibre_statements", "2999-01"])


def test_a_bug_keeps_its_traceback(db, monkeypatch):
    from bawaba.deployments.management.commands import fibre_statements

    def broken(*args, **kwargs):
        return {}["missing"]  # a programming error, not a domain error

    monkeypatch.setattr(fibre_statements, "do_issue_monthly_statements", broken)
    with pytest.raises(KeyError):
        main(["bawaba", "fibre_statements", "2026-10"])


def test_validation_errors_are_one_line_field_by_field():
    error = ValidationError({"amount": ["The amount must be above zero."], "paid_on": ["Give the date\nplease."]})
    assert one_line(error) == "amount: The amount must be above zero.; paid_on: Give the date please."
    assert one_line(ValidationError(["First.", "Second."])) == "First.; Second."
    assert one_line(FileNotFoundError(2, "No such file or directory", "x.json")) == "No such file or directory: x.json"


def test_a_real_process_prints_one_line_and_exits_1(tmp_path):
    env = {**os.environ, "BAWABA_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("BAWABA_TRACEBACK", None)
    done = subprocess.run([sys.executable, "manage.py", "fibre_statements", "2999-01"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith("bawaba: error: ") and "Traceback" not in done.stderr


# ---------------------------------------------------------------------------------------------- scripts/dev


def test_demo_logins_prints_the_address_scripts_dev_serves(monkeypatch):
    monkeypatch.setenv("BAWABA_URL", "http://127.0.0.1:8080")
    out = io.StringIO()
    call_command("demo", "logins", stdout=out)
    addresses = [line for line in out.getvalue().splitlines() if "http" in line]
    assert len(addresses) >= 4
    assert all("http://127.0.0.1:8080/" in line for line in addresses)
    assert ":8000" not in out.getvalue()


def test_demo_logins_defaults_to_port_8000(monkeypatch):
    monkeypatch.delenv("BAWABA_URL", raising=False)
    out = io.StringIO()
    call_command("demo", "logins", stdout=out)
    assert "http://127.0.0.1:8000/desk/" in out.getvalue()


def _dev_script(tmp_path: Path) -> Path:
    """scripts/dev in a copy of the tree where install does nothing and `bawaba` only says what it was asked."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "dev", tmp_path / "scripts" / "dev")
    (tmp_path / "scripts" / "install").write_text("#!/bin/sh\nexit 0\n")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "bawaba").write_text(
        '#!/bin/sh\n'
        'case "$1 $2" in\n'
        '  "demo logins") echo "logins at $BAWABA_URL/desk/" ;;\n'
        '  "serve "*) echo "$*" ;;\n'
        '  "run_huey "*) exec sleep 60 ;;  # the worker runs until scripts/dev stops it\n'
        'esac\n')
    for script in ("scripts/dev", "scripts/install", ".venv/bin/bawaba"):
        (tmp_path / script).chmod(0o755)
    return tmp_path / "scripts" / "dev"


@pytest.mark.parametrize(("environment", "url", "served"), [
    ({}, "http://127.0.0.1:8000", "127.0.0.1:8000"),
    ({"PORT": "8080"}, "http://127.0.0.1:8080", "127.0.0.1:8080"),
    ({"HOST": "0.0.0.0", "PORT": "9000"}, "http://127.0.0.1:9000", "0.0.0.0:9000"),  # noqa: S104 - the test
])
def test_scripts_dev_prints_the_port_it_serves_in_every_address(tmp_path, environment, url, served):
    env = {key: value for key, value in os.environ.items() if key not in ("HOST", "PORT", "BAWABA_URL")}
    done = subprocess.run(["bash", str(_dev_script(tmp_path))], env={**env, **environment}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"logins at {url}/desk/" in done.stdout
    assert f"serve {served}" in done.stdout
    addresses = [word for line in done.stdout.splitlines() for word in line.split() if word.startswith("http")]
    assert len(addresses) >= 5
    assert all(address.startswith(url + "/") for address in addresses), addresses
