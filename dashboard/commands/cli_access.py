"""`python -m dashboard account …`: accounts, roles and scopes from the command line (the primary way to manage them).

    account add NAME --role R --scope CODE|all [--email E] [--password-stdin]
    account list | account remove NAME | account passwd NAME [--password-stdin]
    account role NAME --role R [--scope CODE|all]
    account log            logins, account changes and load actions, newest first

The accounts file is `--accounts`, else $DASHBOARD_ACCOUNTS, else
accounts.json beside the store. Every change is recorded in the store with
the OS user (or `--user`) in access-log.jsonl beside the accounts file.
"""
from __future__ import annotations

import getpass
import sys

import pandas as pd

from .. import i18n
from ..domain.messages import InputError, Message
from ..intake import ingest
from ..storage import access
from ..storage.store import Store


def register(sub) -> None:
    """Adds the `account` command and its subcommands to the CLI's parser."""
    p = sub.add_parser("account", help="accounts, roles and scopes: add, list, remove, passwd, role, log")
    p.add_argument("--accounts", help="accounts file (default: $DASHBOARD_ACCOUNTS or accounts.json beside the store)")
    p.add_argument("--user", help="who makes the change (default: the OS user)")
    actions = p.add_subparsers(required=True, metavar="ACTION")

    a = actions.add_parser("add", help="add an account")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=access.ROLES)
    a.add_argument("--scope", required=True, help="a unit code (its subtree) or all")
    a.add_argument("--email", default="", help="the OIDC identity's email that signs in as this account")
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    a.add_argument("--no-password", action="store_true", help="no password: sign-in by proxy header or OIDC only")
    a.set_defaults(run=cmd_add)

    a = actions.add_parser("list", help="every account with role and scope")
    a.set_defaults(run=cmd_list)

    a = actions.add_parser("remove", help="remove an account")
    a.add_argument("name")
    a.set_defaults(run=cmd_remove)

    a = actions.add_parser("passwd", help="set an account's password")
    a.add_argument("name")
    a.add_argument("--password-stdin", action="store_true")
    a.set_defaults(run=cmd_passwd)

    a = actions.add_parser("role", help="change an account's role (and scope)")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=access.ROLES)
    a.add_argument("--scope", help="a unit code or all (default: unchanged)")
    a.set_defaults(run=cmd_role)

    a = actions.add_parser("log", help="logins, account changes and load actions, newest first")
    a.add_argument("--limit", type=int, default=200)
    a.set_defaults(run=cmd_log)


def _file(store: Store, args):
    return access.accounts_path(args.accounts, store.path)


def _password(args, name: str) -> str:
    """From standard input (one line) or typed twice at a prompt that does not echo."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(i18n.t("acc_password_prompt", args.lang, name=name))
    if getpass.getpass(i18n.t("acc_password_again", args.lang)) != first:
        raise InputError([Message("acc_password_mismatch")])
    return first


def _record(store: Store, args, action: str, detail: str) -> None:
    """Account changes go into the access log beside the accounts file, with who made them."""
    access.record(access.log_path(_file(store, args)), args.user or ingest.current_user(), action, detail)


def cmd_add(store: Store, args) -> int:
    path = _file(store, args)
    access.check_account(args.name, args.role, args.scope)  # refuse a bad name or scope before asking for a password
    password = "" if args.no_password else _password(args, args.name)
    if not password and not args.no_password:
        raise InputError([Message("acc_err_empty_password")])
    account = access.add_account(path, args.name, args.role, args.scope, password, args.email)
    _record(store, args, "account_added", f"{account.name} {account.role} {account.scope}")
    print(i18n.t("acc_added", args.lang, name=account.name, role=account.role, scope=account.scope, file=path))
    return 0


def cmd_list(store: Store, args) -> int:
    path = _file(store, args)
    accounts = access.load_accounts(path)
    if not accounts:
        print(i18n.t("acc_list_empty", args.lang, file=path))
        return 0
    frame = pd.DataFrame([{"name": a.name, "role": a.role, "scope": a.scope, "email": a.email,
                           "password": "yes" if a.password_hash else "no"} for a in accounts.values()])
    print(frame.sort_values("name").to_string(index=False))
    return 0


def cmd_remove(store: Store, args) -> int:
    access.remove_account(_file(store, args), args.name)
    _record(store, args, "account_removed", args.name)
    print(i18n.t("acc_removed", args.lang, name=args.name))
    return 0


def cmd_passwd(store: Store, args) -> int:
    path = _file(store, args)
    if args.name not in access.load_accounts(path):
        raise InputError([Message("acc_err_unknown", {"name": args.name})])
    access.set_password(path, args.name, _password(args, args.name))
    _record(store, args, "password_changed", args.name)
    print(i18n.t("acc_passwd_done", args.lang, name=args.name))
    return 0


def cmd_role(store: Store, args) -> int:
    account = access.set_role(_file(store, args), args.name, args.role, args.scope)
    _record(store, args, "role_changed", f"{account.name} {account.role} {account.scope}")
    print(i18n.t("acc_role_done", args.lang, name=account.name, role=account.role, scope=account.scope))
    return 0


def cmd_log(store: Store, args) -> int:
    frame = access.activity(store, access.log_path(_file(store, args)))
    if frame.empty:
        print(i18n.t("acc_log_empty", args.lang))
        return 0
    frame = frame.head(args.limit).assign(happened_at=lambda f: f["happened_at"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    with pd.option_context("display.width", 250, "display.max_rows", args.limit + 5):
        print(frame.to_string(index=False))
    return 0
