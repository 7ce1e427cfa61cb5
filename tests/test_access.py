"""Accounts and access without Streamlit: hashing, the accounts file, scopes, roles, the record, the CLI, clerk imports."""
from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import stat

import pytest

from dashboard.analysis import quality
from dashboard.domain.messages import InputError
from dashboard.intake import ingest
from dashboard.output import import_model
from dashboard.output.import_model import Upload
from dashboard.storage import access, sessions
from dashboard.storage.access import Account
from tests.helpers import cli_in_process

COUNTY, EAST, WEST = "990101000000", "990101001000", "990101002000"
EAST_VILLAGE, WEST_VILLAGE = "990101001001", "990101002001"
EAST_GRID, WEST_GRID = "990101001001001", "990101002001001"
OTHER_COUNTY = "990102000000"


# ---- passwords -------------------------------------------------------------------------------------

def test_a_password_verifies_against_its_hash_and_nothing_else():
    hashed = access.hash_password("春眠不觉晓 42")
    assert hashed.startswith("$argon2id$")
    assert "春眠" not in hashed
    assert access.verify_password(hashed, "春眠不觉晓 42")
    assert not access.verify_password(hashed, "春眠不觉晓 43")
    assert access.hash_password("春眠不觉晓 42") != hashed  # salted


@pytest.mark.parametrize("stored", ["", "not-a-hash", "$argon2id$v=19$broken", "$2b$12$" + "x" * 53])
def test_a_malformed_stored_hash_never_matches(stored):
    assert not access.verify_password(stored, "anything")


def test_an_empty_password_is_refused():
    with pytest.raises(InputError) as refused:
        access.hash_password("")
    assert refused.value.messages[0].key == "acc_err_empty_password"


# ---- the accounts file -----------------------------------------------------------------------------

def test_accounts_round_trip_through_the_file_written_atomically_and_privately(tmp_path):
    path = tmp_path / "sub" / "accounts.json"
    assert access.load_accounts(path) == {}
    access.add_account(path, "dong", "leader", EAST, "pw-1")
    access.add_account(path, "admin", "admin", "ALL", "pw-2", email="Admin@Example.org")
    loaded = access.load_accounts(path)
    assert {(a.name, a.role, a.scope) for a in loaded.values()} == {("dong", "leader", EAST), ("admin", "admin", "all")}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["accounts.json"]  # no temp file left behind
    assert "pw-1" not in path.read_text(encoding="utf-8")

    access.set_password(path, "dong", "pw-3")
    access.set_role(path, "dong", "analyst", WEST)
    dong = access.load_accounts(path)["dong"]
    assert (dong.role, dong.scope) == ("analyst", WEST)
    assert access.verify_password(dong.password_hash, "pw-3") and not access.verify_password(dong.password_hash, "pw-1")

    access.remove_account(path, "dong")
    assert list(access.load_accounts(path)) == ["admin"]


@pytest.mark.parametrize("name, role, scope, key", [
    ("", "leader", "all", "acc_err_name"),
    ("two words", "leader", "all", "acc_err_name"),
    ("x" * 65, "leader", "all", "acc_err_name"),
    ("dong", "boss", "all", "acc_err_role"),
    ("dong", "leader", "9901", "acc_err_scope"),
    ("dong", "leader", "县", "acc_err_scope"),
])
def test_bad_account_fields_are_refused_naming_the_problem(tmp_path, name, role, scope, key):
    path = tmp_path / "accounts.json"
    with pytest.raises(InputError) as refused:
        access.add_account(path, name, role, scope, "pw")
    assert refused.value.messages[0].key == key
    assert not path.exists()


def test_the_same_name_twice_and_unknown_names_are_refused(tmp_path):
    path = tmp_path / "accounts.json"
    access.add_account(path, "dong", "leader", EAST, "pw")
    for action, key in ((lambda: access.add_account(path, "dong", "clerk", EAST, "pw"), "acc_err_exists"),
                        (lambda: access.remove_account(path, "xi"), "acc_err_unknown"),
                        (lambda: access.set_password(path, "xi", "pw"), "acc_err_unknown")):
        with pytest.raises(InputError) as refused:
            action()
        assert refused.value.messages[0].key == key


def test_a_broken_accounts_file_is_an_error_naming_it_not_an_open_app(tmp_path):
    path = tmp_path / "accounts.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        access.load_accounts(path)
    assert str(path) in refused.value.messages[0].text("en")


def test_the_accounts_file_is_the_option_then_the_environment_then_beside_the_store(tmp_path, monkeypatch):
    monkeypatch.delenv(access.ACCOUNTS_ENV, raising=False)
    assert access.accounts_path(None, tmp_path / "s" / "x.duckdb") == tmp_path / "s" / "accounts.json"
    monkeypatch.setenv(access.ACCOUNTS_ENV, str(tmp_path / "env.json"))
    assert access.accounts_path(None, tmp_path / "s" / "x.duckdb") == tmp_path / "env.json"
    assert access.accounts_path(tmp_path / "opt.json", tmp_path / "s" / "x.duckdb") == tmp_path / "opt.json"


def test_authenticate_and_email_mapping():
    accounts = {"dong": Account("dong", "leader", EAST, access.hash_password("pw"), "dong@example.org")}
    assert access.authenticate(accounts, "dong", "pw") == accounts["dong"]
    assert access.authenticate(accounts, " dong ", "pw") == accounts["dong"]
    assert access.authenticate(accounts, "dong", "PW") is None
    assert access.authenticate(accounts, "xi", "pw") is None
    assert access.by_email(accounts, "DONG@example.org") == accounts["dong"]
    assert access.by_email(accounts, "other@example.org") is None
    assert access.by_email(accounts, None) is None


# ---- scopes and roles ---------------------------------------------------------------------------

@pytest.mark.parametrize("scope, code, inside", [
    ("all", WEST_GRID, True),
    ("all", OTHER_COUNTY, True),
    (COUNTY, COUNTY, True),
    (COUNTY, EAST, True),
    (COUNTY, WEST_VILLAGE, True),
    (COUNTY, WEST_GRID, True),
    (COUNTY, OTHER_COUNTY, False),
    (COUNTY, "990100000000", False),       # the prefecture above
    (EAST, EAST, True),
    (EAST, EAST_VILLAGE, True),
    (EAST, EAST_GRID, True),
    (EAST, WEST, False),
    (EAST, WEST_VILLAGE, False),
    (EAST, WEST_GRID, False),
    (EAST, COUNTY, False),
    (EAST, "990101001999", True),          # the last village code of the township
    (EAST, "990101002000", False),         # the first code after it
    (EAST_VILLAGE, EAST_GRID, True),
    (EAST_VILLAGE, "990101001002001", False),
    (EAST_GRID, EAST_GRID, True),
    (EAST_GRID, EAST_VILLAGE, False),
    (EAST, "99010100100", False),          # not a division code
    (EAST, "990101001000'; drop table units; --", False),
    (EAST, None, False),
])
def test_scope_contains_the_units_subtree_only(scope, code, inside):
    assert access.scope_contains(scope, code) is inside


def test_outside_scope_lists_each_foreign_code_once_in_order():
    assert access.outside_scope(EAST, [EAST_VILLAGE, WEST_GRID, EAST_GRID, WEST, WEST_GRID]) == [WEST_GRID, WEST]


@pytest.mark.parametrize("role, allowed", [
    ("admin", {"read", "export", "import", "settings", "accounts"}),
    ("leader", {"read"}),
    ("analyst", {"read", "export"}),
    ("clerk", {"read", "import"}),
    ("nobody", set()),
])
def test_role_permissions(role, allowed):
    account = Account("x", role, EAST)
    for permission in ("read", "export", "import", "settings", "accounts"):
        assert account.can(permission) is (permission in allowed), permission


# ---- the record ---------------------------------------------------------------------------------

def test_events_are_appended_to_the_access_log_and_a_cut_line_is_skipped(tmp_path):
    path = access.log_path(tmp_path / "accounts.json")
    assert path == tmp_path / "access-log.jsonl"
    assert access.events(path).empty
    access.record(path, "dong", "login", "password")
    with open(path, "a", encoding="utf-8") as log:
        log.write('{"happened_at": "2022-05-0')  # a line cut short by a crash
    access.record(path, "<img src=x>", "login_failed", "password")
    rows = access.events(path)
    assert list(rows[["user", "action", "detail"]].itertuples(index=False, name=None)) == \
        [("<img src=x>", "login_failed", "password"), ("dong", "login", "password")]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def _failed_logins(monkeypatch, path, name: str, times: list[dt.datetime]) -> None:
    for at in times:
        monkeypatch.setattr(access, "now", lambda at=at: at)
        access.record(path, name, "login_failed", "password")


def test_five_wrong_passwords_in_fifteen_minutes_lock_the_name_until_the_window_passes(tmp_path, monkeypatch):
    path = access.log_path(tmp_path / "accounts.json")
    start = dt.datetime(2022, 5, 4, 9, 0)
    _failed_logins(monkeypatch, path, "dong", [start + dt.timedelta(minutes=m) for m in (0, 1, 2, 3)])
    _failed_logins(monkeypatch, path, "li", [start + dt.timedelta(minutes=m) for m in range(10)])  # another name
    assert access.locked_until(path, "dong", start + dt.timedelta(minutes=4)) is None  # four: not yet
    _failed_logins(monkeypatch, path, "dong", [start + dt.timedelta(minutes=4)])
    until = access.locked_until(path, " dong ", start + dt.timedelta(minutes=5))  # the name as typed, spaces too
    assert until == start + access.LOCKOUT  # when the first of the five leaves the window
    assert access.locked_until(path, "dong", until) is None
    assert access.locked_until(path, "li", start + dt.timedelta(minutes=10)) is not None


def test_a_sign_in_clears_the_earlier_wrong_passwords_and_old_ones_do_not_count(tmp_path, monkeypatch):
    path = access.log_path(tmp_path / "accounts.json")
    start = dt.datetime(2022, 5, 4, 9, 0)
    _failed_logins(monkeypatch, path, "dong", [start + dt.timedelta(minutes=m) for m in range(4)])
    access.record(path, "dong", "login", "password")
    _failed_logins(monkeypatch, path, "dong", [start + dt.timedelta(minutes=5)])
    assert access.locked_until(path, "dong", start + dt.timedelta(minutes=6)) is None
    _failed_logins(monkeypatch, path, "wang", [start - dt.timedelta(hours=1)] * 4 + [start])
    assert access.locked_until(path, "wang", start) is None  # four of the five are an hour old
    assert access.locked_until(tmp_path / "no-log.jsonl", "dong", start) is None


# ---- the CLI ------------------------------------------------------------------------------------

def _cli(monkeypatch, capsys, *argv, stdin: str = ""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    done = cli_in_process("--lang", "en", *argv)
    return done.returncode, done.stdout, done.stderr


def test_cli_manages_accounts_and_records_who_did_it(monkeypatch, capsys, demo_store_copy, tmp_path):
    monkeypatch.delenv(access.ACCOUNTS_ENV, raising=False)
    db = str(demo_store_copy.path)
    path = tmp_path / "accounts.json"  # beside the store copy
    code, out, _ = _cli(monkeypatch, capsys, "--db", db, "account", "--user", "ops", "add", "dong", "--role", "leader",
                        "--scope", EAST, "--password-stdin", stdin="s3cret\n")
    assert code == 0 and str(path) in out
    assert access.verify_password(access.load_accounts(path)["dong"].password_hash, "s3cret")
    code, out, _ = _cli(monkeypatch, capsys, "--db", db, "account", "list")
    assert code == 0 and "dong" in out and EAST in out and "argon2" not in out
    code, _, _ = _cli(monkeypatch, capsys, "--db", db, "account", "passwd", "dong", "--password-stdin", stdin="new\n")
    assert code == 0 and access.verify_password(access.load_accounts(path)["dong"].password_hash, "new")
    code, _, _ = _cli(monkeypatch, capsys, "--db", db, "account", "role", "dong", "--role", "clerk", "--scope", WEST)
    assert code == 0 and access.load_accounts(path)["dong"].scope == WEST
    code, _, err = _cli(monkeypatch, capsys, "--db", db, "account", "add", "xi", "--role", "leader", "--scope", "12",
                        "--password-stdin", stdin="pw\n")
    assert code == 1 and "Scope '12' is not valid" in err
    code, _, err = _cli(monkeypatch, capsys, "--db", db, "account", "add", "xi", "--role", "leader", "--scope", EAST,
                        "--password-stdin", stdin="\n")
    assert code == 1 and "must not be empty" in err
    code, _, _ = _cli(monkeypatch, capsys, "--db", db, "account", "remove", "dong")
    assert code == 0 and access.load_accounts(path) == {}
    code, out, _ = _cli(monkeypatch, capsys, "--db", db, "account", "log")
    assert code == 0
    lines = out.splitlines()
    assert any("account_added" in line and "ops" in line for line in lines)
    for action in ("password_changed", "role_changed", "account_removed"):
        assert any(action in line and ingest.current_user() in line for line in lines), action


def test_cli_rollback_records_the_given_user(monkeypatch, capsys, demo_store_copy):
    code, _, _ = _cli(monkeypatch, capsys, "--db", str(demo_store_copy.path), "rollback", "1", "--user", "clerk-li")
    assert code == 0
    activity = access.activity(demo_store_copy, demo_store_copy.path.with_name("access-log.jsonl"))
    assert (activity.iloc[0]["user"], activity.iloc[0]["action"]) == ("clerk-li", "rolled_back")


# ---- a clerk's import and load history ------------------------------------------------------------

def _grid_file(codes_and_values) -> Upload:
    lines = "\n".join(f"{code},{value}" for code, value in codes_and_values)
    return Upload("grids_20220508.csv", f"区划代码,排查户数\n{lines}\n".encode())


def test_a_clerks_file_with_rows_outside_the_scope_is_refused_whole(demo_store_copy):
    mixed = _grid_file([(EAST_GRID, 10), (WEST_GRID, 11), ("990101002001002", 12)])
    plan = import_model.plan_upload(demo_store_copy, mixed, scope=EAST)
    assert not plan.ok
    text = plan.errors[0].text("en")
    assert "grids_20220508.csv" in text and "2 rows" in text and WEST_GRID in text and "(3)" in text
    before = demo_store_copy.query("loads_all")
    with pytest.raises(InputError):
        import_model.confirm(demo_store_copy, import_model.plan_upload(demo_store_copy, mixed), scope=EAST)
    assert len(demo_store_copy.query("loads_all")) == len(before)  # nothing stored

    own = import_model.plan_upload(demo_store_copy, _grid_file([(EAST_GRID, 10)]), scope=EAST)
    assert own.ok, [m.text("en") for m in own.errors]
    result = import_model.confirm(demo_store_copy, own, user="clerk-dong", scope=EAST)
    loaded = demo_store_copy.query("load_by_id", load_id=result.load_id)
    assert loaded["loaded_by"].iloc[0] == "clerk-dong"


def test_a_clerk_may_roll_back_only_loads_inside_the_scope(demo_store_copy):
    spans = demo_store_copy.query("load_spans")
    lo, hi = access.scope_range(EAST)
    inside = {int(i) for i, a, b in spans[["load_id", "lo", "hi"]].itertuples(index=False) if a >= lo and b < hi}
    outside = int(next(i for i in spans["load_id"] if int(i) not in inside))
    with pytest.raises(InputError) as refused:
        import_model.roll_back(demo_store_copy, outside, "clerk-dong", inside)
    assert refused.value.messages[0].key == "acc_load_not_permitted"
    assert demo_store_copy.query("load_by_id", load_id=outside)["status"].iloc[0] == "active"
    mine = min(inside)
    import_model.roll_back(demo_store_copy, mine, "clerk-dong", inside)
    assert demo_store_copy.query("load_by_id", load_id=mine)["status"].iloc[0] == "rolled_back"


def test_timeliness_in_a_scope_counts_its_loads_and_names_only_its_files(demo_store):
    everything = quality.timeliness(demo_store, "screening")
    east = quality.timeliness(demo_store, "screening", access.scope_range(EAST))
    assert set(east["snapshot_date"]) == set(everything["snapshot_date"])
    assert (east["loads"] == 1).all() and (everything["loads"] > 1).all()
    assert east["first_file"].str.contains("东城街道").all()
    day = dt.date(2022, 5, 7)
    assert json.dumps(east[east["snapshot_date"] == day]["first_file"].tolist(), ensure_ascii=False).count("西城") == 0


# ---- the sign-in cookie (dashboard/storage/sessions.py) --------------------------------------------

SIGNED_AT = dt.datetime(2022, 5, 4, 8, 30)


@pytest.fixture
def signed(tmp_path):
    """An accounts file with dong, and a token issued to dong at SIGNED_AT."""
    path = tmp_path / "accounts.json"
    access.add_account(path, "dong", "leader", EAST, "dong-pw")
    access.add_account(path, "李四", "analyst", WEST, "li-pw")
    return path, sessions.issue(path, access.load_accounts(path)["dong"], SIGNED_AT)


def _tampered(token: str, part: int, value: str) -> str:
    parts = token.split(".")
    parts[part] = value
    return ".".join(parts)


def test_a_token_names_its_account_for_a_working_day(signed):
    path, token = signed
    every = access.load_accounts(path)
    assert sessions.account_of(path, every, token, SIGNED_AT + dt.timedelta(hours=11, minutes=59)).name == "dong"
    assert sessions.account_of(path, every, token, SIGNED_AT + sessions.LIFETIME) is None  # expired
    li = sessions.issue(path, every["李四"], SIGNED_AT)  # a name outside ASCII stays cookie-safe
    assert all(c.isalnum() or c in "._-" for c in li)
    assert sessions.account_of(path, every, li, SIGNED_AT).name == "李四"
    assert stat.S_IMODE(os.stat(sessions.secret_path(path)).st_mode) == 0o600


@pytest.mark.parametrize("forge", [
    lambda t: _tampered(t, 0, base64.urlsafe_b64encode("李四".encode()).decode().rstrip("=")),  # another account
    lambda t: _tampered(t, 2, str(int(t.split(".")[2]) + 86400)),      # a longer day
    lambda t: _tampered(t, 3, "0" * 64),                               # a made-up signature
    lambda t: t[:-1],                                                  # cut short
    lambda t: t + ".x",
    lambda t: "",
    lambda t: "a.b.c.d",
    lambda t: "%%%.1.2.3",
])
def test_a_forged_or_damaged_token_signs_nobody_in(signed, forge):
    path, token = signed
    assert sessions.account_of(path, access.load_accounts(path), forge(token), SIGNED_AT) is None


def test_signing_out_a_new_password_a_removed_account_or_a_new_key_end_the_token(signed, monkeypatch):
    path, token = signed
    later = SIGNED_AT + dt.timedelta(hours=1)
    monkeypatch.setattr(access, "now", lambda: SIGNED_AT - dt.timedelta(minutes=5))
    access.record(access.log_path(path), "dong", "logout")  # a sign-out before the token was issued
    assert sessions.account_of(path, access.load_accounts(path), token, later).name == "dong"
    monkeypatch.setattr(access, "now", lambda: SIGNED_AT + dt.timedelta(minutes=5))
    access.record(access.log_path(path), "dong", "logout")  # on another device, after it: every device is out
    assert sessions.account_of(path, access.load_accounts(path), token, later) is None
    fresh = sessions.issue(path, access.load_accounts(path)["dong"], later)
    assert sessions.account_of(path, access.load_accounts(path), fresh, later).name == "dong"
    access.set_password(path, "dong", "new-pw")
    assert sessions.account_of(path, access.load_accounts(path), fresh, later) is None
    fresh = sessions.issue(path, access.load_accounts(path)["dong"], later)
    sessions.secret_path(path).unlink()  # a new key
    assert sessions.account_of(path, access.load_accounts(path), fresh, later) is None
    access.remove_account(path, "dong")
    assert sessions.account_of(path, access.load_accounts(path), fresh, later) is None
