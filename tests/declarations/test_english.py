"""The declaration pages render in English once the language is switched (a broken placeholder
in a msgstr would raise here), and keep no Chinese in their headings."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

import pytest
from django.test import Client

from qinglian.core.choices import Role
from tests.conftest import City
from tests.test_i18n import fresh_translations  # noqa: F401  (the fixture)

from .conftest import declare, open_round

pytestmark = pytest.mark.django_db


def _english(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302


@pytest.mark.usefixtures("fresh_translations")
def test_declaration_pages_render_in_english(city: City) -> None:
    ent = city.enterprises[0]
    gift = declare(ent, amount=Decimal(800))
    conflict_round = open_round(ent)
    entry = conflict_round.entries.first()
    assert entry is not None
    pages = {
        "/declarations/": "Gifts, hospitality and donations",
        "/declarations/new/": "What is declared",
        f"/declarations/{gift.pk}/": "Disposal of the gift",
        f"/declarations/{gift.pk}/edit/": "Save changes",
        "/declarations/people/": "Register by person",
        f"/declarations/people/view/?key={quote(gift.declarant_key)}": "Totals per year",
        "/declarations/counterparties/": "Register by counterparty",
        f"/declarations/counterparties/view/?key={quote(gift.counterparty_key)}": "Totals per year",
        "/declarations/thresholds/": "Threshold in force",
        "/declarations/conflicts/": "One round a year",
        "/declarations/conflicts/new/": "Start a yearly conflict-of-interest round",
        f"/declarations/conflicts/{conflict_round.pk}/": "Export reminder list",
        f"/declarations/conflicts/{conflict_round.pk}/roster/add/": "Add and continue",
        f"/declarations/conflicts/{conflict_round.pk}/roster/upload/": "Download template (Excel)",
        f"/declarations/conflicts/entries/{entry.pk}/": "Nature of interest",
    }
    client = city.client(Role.ENTERPRISE_USER)
    _english(client)
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert text in html, url
        assert "申报管理" not in html, url  # the sidebar's section heading
    officer = city.client(Role.FEDERATION_OFFICER)
    _english(officer)
    html = officer.get("/declarations/overview/").content.decode()
    assert "Declarations overview" in html and "By organisation" in html
