"""`leadmill users create`: add a user who can log in (`POST /api/auth`), directly in the DB.

Works on the instance's data directory, with no server running. Without `--company`, a new
company is created with the user as its owner; with `--no-company` the user has none until they
create it with `POST /api/company` (self-service onboarding).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

ROLES = ("owner", "admin", "member")


def register(subparsers: argparse._SubParsersAction) -> None:
    text = "manage the users who can log in"
    parser = subparsers.add_parser("users", help=text, description=text)
    actions = parser.add_subparsers(dest="users_command", required=True)
    text = "create a user (password hashed with Argon2id)"
    create = actions.add_parser("create", help=text, description=text)
    create.add_argument("--username", required=True, help="the login, usually an e-mail")
    create.add_argument("--password", default=None,
                        help="default: $LEADMILL_NEW_PASSWORD, else asked for without echo")
    group = create.add_mutually_exclusive_group()
    group.add_argument("--company", default=None, help="id of an existing company to join")
    group.add_argument("--company-name", default=None,
                       help="name of a new company (default: the username's)")
    group.add_argument("--no-company", action="store_true",
                       help="no company: the user creates one with POST /api/company")
    create.add_argument("--role", choices=ROLES, default=None,
                        help="default: owner of a new company, member of an existing one")
    create.add_argument("--data-dir", type=Path, default=None,
                        help="default: $LEADMILL_DATA_DIR or ./.leadmill")
    create.set_defaults(handler=run_create_user)


def run_create_user(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from storage.data_dir import prepare_data_dir
    from storage.db.engine import build_engine, session_scope
    from storage.schema import create_schema
    from storage.settings import LeadmillSettings
    from storage.tenancy.accounts import create_company, create_user
    from storage.tenancy.models import Company, User
    from storage.tenancy.passwords import hash_password

    settings = LeadmillSettings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    password = (args.password or os.environ.get("LEADMILL_NEW_PASSWORD")
                or getpass.getpass("Password for the new user: "))
    username = args.username.strip().lower()
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        return _fail(str(exc))
    prepare_data_dir(settings.data_dir)
    engine = build_engine(settings.sqlalchemy_url)
    create_schema(engine)
    with session_scope(engine) as session:
        if session.exec(select(User).where(User.username == username)).first():
            return _fail(f"a user named {username} already exists")
        if args.no_company:
            company, role = None, args.role or "member"
        elif args.company:
            company = session.get(Company, args.company)
            if company is None:
                return _fail(f"no company {args.company}")
            role = args.role or "member"
        else:
            company = create_company(session, args.company_name or username)
            role = args.role or "owner"
        user = create_user(session, company, username, role=role, password_hash=password_hash)
        where = (f"in company {company.id} ({company.name})" if company else
                 "without a company (POST /api/company creates it)")
        print(f"created user {user.username} (id {user.id}, role {role}) {where}")
    engine.dispose()
    return 0


def _fail(message: str) -> int:
    sys.stderr.write(f"leadmill users create: {message}\n")
    return 2
