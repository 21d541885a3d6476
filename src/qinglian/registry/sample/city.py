"""What a sample city is: its parts, its demo accounts, and where it may be built."""

from __future__ import annotations

from dataclasses import dataclass

from qinglian.core.choices import Role
from qinglian.core.models import User

from ..models import Organisation

#: The password of every demo account; printed by ``qinglian demo``. Demo databases only.
DEMO_PASSWORD = "Qinglian@2026"  # noqa: S105 - printed on purpose, demo only
DEMO_USERNAMES = ("admin", "fed", "chamber", "enterprise", "dept", "auditor")


class SampleCityError(Exception):
    """The sample city cannot be built here (the database already holds data)."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    organisation: str
    display_name: str

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


@dataclass
class SampleCity:
    federation: Organisation
    chambers: list[Organisation]
    departments: list[Organisation]
    enterprises: list[Organisation]
    accounts: list[DemoAccount]


def database_is_empty() -> bool:
    """The sample city goes only into a database with no organisations and no users."""
    return not Organisation.objects.exists() and not User.objects.exists()


def demo_accounts() -> list[DemoAccount]:
    """The demo accounts that still exist with the demo password, so printing it is true."""
    users = User.objects.filter(username__in=DEMO_USERNAMES).select_related("organisation")
    by_name = {u.username: u for u in users}
    found = []
    for username in DEMO_USERNAMES:
        user = by_name.get(username)
        if user is not None and user.check_password(DEMO_PASSWORD):
            org = user.organisation.name if user.organisation else "—"
            found.append(DemoAccount(username, user.role, org, user.display_name))
    return found
