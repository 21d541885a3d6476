from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from qinglian.core.choices import Role
from qinglian.evaluation import actions

from .world import PDF, World

pytestmark = pytest.mark.django_db


def test_prune_removes_only_unreferenced_old_files(city: Any, world: World) -> None:
    answer = world.of(city.enterprises[0]).answers.get(indicator__code="JY01")
    kept = actions.do_upload_evidence(answer, SimpleUploadedFile("制度.pdf", PDF),
                                      actor=city.users[Role.ENTERPRISE_USER])
    orphan = default_storage.save("evidence/ab/" + "ab" * 32 + ".pdf", ContentFile(PDF))
    out = StringIO()
    call_command("prune_evidence", "--min-age-hours", "0", stdout=out)
    assert orphan in out.getvalue() and kept.file.name not in out.getvalue()
    assert default_storage.exists(orphan)  # listing only
    call_command("prune_evidence", "--delete", "--min-age-hours", "0", stdout=StringIO())
    assert not default_storage.exists(orphan) and default_storage.exists(kept.file.name)
    call_command("prune_evidence", "--delete", stdout=StringIO())  # nothing old enough: no error
