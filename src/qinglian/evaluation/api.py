"""The integrity index's JSON API under /api/v1/evaluation/: the eligibility check (资格联审).

Same permissions and scopes as the pages: reads go through ``visible_checks`` / ``access``
(out of scope answers 404 like missing), the check itself through ``do_check_eligibility``.
A list with bad entries answers 422 naming each one — ``nominees.<index>.identifier`` with
"第 N 项：…" — and stores nothing.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from qinglian.core.api import ERRORS, Pagination
from qinglian.core.api_auth import api_user
from qinglian.core.choices import Role
from qinglian.core.models import User
from qinglian.core.permissions import access, require, restrict
from qinglian.registry.choices import OrganisationKind
from qinglian.registry.models import Organisation
from qinglian.registry.queries import jurisdiction_id

from .eligibility import do_check_eligibility, require_read_checks, visible_checks
from .eligibility_lists import LineError, NomineeEntry, clean_entries
from .models import EligibilityCheck
from .schemas import (
    EligibilityCheckDetailOut,
    EligibilityCheckFilter,
    EligibilityCheckIn,
    EligibilityCheckOut,
)

router = Router(tags=["evaluation"])
#: A list position is an "item" (项) in API messages, where the pages say "line" (行).
UNIT = "项"


def _federation(user: User, requested: int | None) -> Organisation:
    """The federation the check belongs to: the caller's own, or — for the platform
    administrator, who has none — the one named."""
    if user.role == Role.ADMIN:
        if requested is None:
            raise ValidationError({"federation": "请填写工商联编号"})
        found = restrict(Organisation.objects.filter(kind=OrganisationKind.FEDERATION), user
                         ).filter(pk=requested).first()
        if found is None:
            raise ValidationError({"federation": "未找到该工商联"})
        return found
    home = jurisdiction_id(user)
    if home is None or (requested is not None and requested != home):
        raise ValidationError({"federation": "只能在本工商联辖区内开展资格联审"})
    return Organisation.objects.get(pk=home)


def _field(error: LineError) -> str:
    return f"nominees.{error.line - 1}.identifier" if error.line else "nominees"


def _list_errors(errors: list[LineError]) -> ValidationError:
    by_field: dict[str, list[str]] = defaultdict(list)
    for error in errors:
        by_field[_field(error)].append(error.describe(UNIT))
    return ValidationError(dict(by_field))


@router.get("/eligibility-checks", response={200: list[EligibilityCheckOut], **ERRORS},
            summary="资格联审记录", tags=["资格联审"])
@paginate(Pagination)
def list_eligibility_checks(
    request: HttpRequest, filters: Query[EligibilityCheckFilter],
) -> QuerySet[EligibilityCheck]:
    """Newest first; a chamber sees the checks its own officers ran."""
    user = api_user(request)
    require_read_checks(user)
    checks = visible_checks(user)
    if filters.year is not None:
        checks = checks.filter(submitted_at__year=filters.year)
    if filters.purpose is not None:
        checks = checks.filter(purpose=filters.purpose.value)
    return checks.order_by("-submitted_at", "-id")


@router.post("/eligibility-checks", response={201: EligibilityCheckDetailOut, **ERRORS},
             summary="资格联审：提交人选名单，逐一给出结论和原因", tags=["资格联审"])
def check_eligibility(request: HttpRequest, payload: EligibilityCheckIn) -> Status[EligibilityCheck]:
    """Each nominee — enterprise by USCC, person by ID number (judged by the enterprises they
    lead) — is eligible or not, with every reason; nominees the platform does not hold (or that
    are outside the caller's scope) are not eligible, to be checked offline. The check is
    stored and audited; ID numbers are kept and answered masked only."""
    user = api_user(request)
    require(user, "evaluation.check_eligibility")
    federation = _federation(user, payload.federation)
    entries = [NomineeEntry(i, n.identifier, n.name) for i, n in enumerate(payload.nominees, start=1)]
    errors = clean_entries(entries, UNIT)[1]
    if errors:
        raise _list_errors(errors)
    check = do_check_eligibility(federation, purpose=payload.purpose.value, title=payload.title,
                                 entries=entries, actor=user, unit=UNIT)
    return Status(201, check)


@router.get("/eligibility-checks/{int:pk}", response={200: EligibilityCheckDetailOut, **ERRORS},
            summary="资格联审结果", tags=["资格联审"])
def get_eligibility_check(request: HttpRequest, pk: int) -> EligibilityCheck:
    user = api_user(request)
    require_read_checks(user)
    return access(visible_checks(user), user, pk)
