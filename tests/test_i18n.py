"""English is switchable: the catalogue is complete and well-formed, and the language switch
in the top bar turns the pages into English and back."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from qinglian.core.choices import Role
from qinglian.core.i18n import SOURCE, compile_catalogues

from .conftest import City

PO_PATH = SOURCE / "en" / "LC_MESSAGES" / "django.po"
TEMPLATES = SOURCE.parent / "templates"

# printf-style named placeholders as Django's blocktranslate and gettext % formatting use them.
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")
# `{% translate "..." %}` / `{% trans '...' %}` literals in templates.
TEMPLATE_LITERAL = re.compile(r"""\{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<s>.*?)(?P=q)""")

# The sidebar's Chinese labels and their English counterparts.
NAV = {
    "工作台": "Dashboard",
    "组织与会员": "Organisations and members",
    "会员企业": "Member enterprises",
    "商会协会": "Chambers and associations",
    "全部组织": "All organisations",
    "会员资格": "Memberships",
    "廉洁承诺书": "Integrity commitments",
    "人员库": "People",
}


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


# --- the catalogue --------------------------------------------------------------------------

def test_catalogue_is_complete(catalogue: polib.POFile) -> None:
    assert len(catalogue) > 400
    assert catalogue.metadata["Language"] == "en"
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    assert catalogue.percent_translated() == 100, untranslated
    assert catalogue.fuzzy_entries() == []
    assert catalogue.obsolete_entries() == []
    assert not catalogue.metadata_is_fuzzy


def test_catalogue_compiles_with_polib(catalogue: polib.POFile, tmp_path: Path) -> None:
    mo_path = tmp_path / "django.mo"
    catalogue.save_as_mofile(str(mo_path))
    mo = polib.mofile(str(mo_path))
    assert {e.msgid for e in mo} >= {e.msgid for e in catalogue}
    assert mo.find("工作台").msgstr == "Dashboard"


def test_compile_catalogues_writes_the_mo_into_the_target(tmp_path: Path) -> None:
    written = compile_catalogues(tmp_path)
    assert tmp_path / "en" / "LC_MESSAGES" / "django.mo" in written
    assert compile_catalogues(tmp_path) == []  # up to date: nothing rewritten


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_catalogue_passes_msgfmt_check() -> None:
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(PO_PATH)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_placeholders_match(catalogue: polib.POFile) -> None:
    bad = []
    for entry in catalogue:
        wanted = _placeholders(entry.msgid)
        if entry.msgid_plural:
            assert _placeholders(entry.msgid_plural) == wanted, entry.msgid
            assert sorted(entry.msgstr_plural) == [0, 1], entry.msgid  # nplurals=2
            translations = list(entry.msgstr_plural.values())
        else:
            translations = [entry.msgstr]
        for text in translations:
            # A stray % in a formatted msgstr must be doubled, or rendering raises.
            stray = re.sub(r"%%", "", PLACEHOLDER.sub("", text)) if wanted else ""
            if _placeholders(text) != wanted or "%" in stray:
                bad.append((entry.msgid, text))
    assert bad == []


def test_translations_are_english(catalogue: polib.POFile) -> None:
    """No Chinese left in a msgstr, except the quoted name of the import template's Chinese sheet."""
    cjk = re.compile(r"[\u4e00-\u9fff]")
    leftovers = [e.msgstr for e in catalogue
                 if not e.msgid_plural and cjk.search(e.msgstr.replace("“填写说明”", ""))]
    leftovers += [s for e in catalogue if e.msgid_plural for s in e.msgstr_plural.values()
                  if cjk.search(s)]
    assert leftovers == []


def test_every_template_string_is_in_the_catalogue(catalogue: polib.POFile) -> None:
    """A `{% translate %}` added to a template needs an English entry: from src/qinglian run
    `python -m qinglian.config.cli makemessages -l en --ignore "static/*" --no-obsolete`
    and translate the new msgids in locale/en/LC_MESSAGES/django.po."""
    known = {e.msgid for e in catalogue}
    missing = set()
    for path in TEMPLATES.rglob("*.html"):
        for match in TEMPLATE_LITERAL.finditer(path.read_text(encoding="utf-8")):
            if match["s"] not in known:
                missing.add((path.relative_to(TEMPLATES).as_posix(), match["s"]))
    assert sorted(missing) == []


# --- the switch -----------------------------------------------------------------------------

@pytest.fixture
def fresh_translations() -> Iterator[None]:
    """Compile the catalogue where LOCALE_PATHS points and drop Django's cached catalogues,
    so the pages use the catalogue in this tree; restore the thread's language afterwards."""
    before = translation.get_language()
    compile_catalogues(settings.QINGLIAN_LOCALE_DIR)
    trans_real._translations = {}  # type: ignore[attr-defined]
    trans_real._default = None  # type: ignore[attr-defined]
    yield
    trans_real._translations = {}  # type: ignore[attr-defined]
    trans_real._default = None  # type: ignore[attr-defined]
    if before:
        translation.activate(before)
    else:
        translation.deactivate()


def _switch(client: Client, language: str, next_url: str = "/") -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url


def _nav(html: str) -> str:
    match = re.search(r'<nav class="nav flex-column" data-testid="sidebar">.*?</nav>', html, re.S)
    assert match, "the page has the sidebar"
    return match.group(0)


@pytest.mark.django_db
def test_language_switch_turns_the_pages_english_and_back(city: City, fresh_translations: None) -> None:
    client = city.client(Role.FEDERATION_OFFICER)

    html = client.get("/").content.decode()
    assert "工作台" in html and "Dashboard" not in html  # Chinese first

    _switch(client, "en")
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    nav = _nav(html)
    for chinese, english in NAV.items():
        assert english in nav
        assert chinese not in nav
    for text in ("Sign out", "Hello, ", "Chambers and associations", "Active memberships",
                 "Party organisation coverage", "Member enterprises · by industry section",
                 "中文"):  # the switch offers Chinese, in Chinese
        assert text in html
    assert "退出登录" not in html and "您好" not in html

    html = client.get("/organisations/").content.decode()
    assert "Organisation directory" in html and "组织名录" not in html
    assert "Register organisation" in html
    assert "Member enterprises" in _nav(html)

    html = client.get("/organisations/?kind=enterprise").content.decode()
    assert '<h1 class="ql-page-title">Member enterprises</h1>' in html

    _switch(client, "zh-hans", "/organisations/")
    html = client.get("/organisations/").content.decode()
    assert "组织名录" in html and "Organisation directory" not in html
    nav = _nav(html)
    for chinese, english in NAV.items():
        assert chinese in nav
        assert english not in nav


@pytest.mark.django_db
def test_english_pages_render(city: City, fresh_translations: None) -> None:
    """Every main page renders in English; a broken placeholder in a msgstr would raise here."""
    membership = city.memberships[0]
    urls = {
        reverse("dashboard"): "Dashboard",
        reverse("organisation_list"): "Organisation directory",
        reverse("organisation_detail", args=[city.enterprises[0].pk]): "Basic information",
        reverse("organisation_detail", args=[city.chamber.pk]): "Active members",
        reverse("organisation_create") + "?kind=enterprise": "Enterprise details",
        reverse("organisation_edit", args=[city.enterprises[0].pk]): "Edit ",
        reverse("membership_list"): "Name, credit code or pinyin initials",
        reverse("membership_apply"): "New admission application",
        reverse("membership_detail", args=[membership.pk]): "Membership details",
        reverse("commitment_list"): "Integrity commitment",
        reverse("commitment_detail", args=[city.commitment.pk]): "Signatures",
        reverse("commitment_sign", args=[city.commitment.pk]): "Record a member",
        reverse("commitment_create") + f"?organisation={city.chamber.pk}": "Versioning rules",
        reverse("resign_list"): "Commitments to re-sign",
        reverse("person_list"): "Search people",
        reverse("person_detail", args=[city.person.pk]): "Positions",
        reverse("person_create"): "ID and contact details",
        reverse("import_list"): "Bulk import",
        reverse("import_upload"): "Before you import",
    }
    client = city.client(Role.FEDERATION_OFFICER)
    _switch(client, "en")
    for url, text in urls.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert text in html, url
        assert "工作台" not in _nav(html), url

    auditor = city.client(Role.AUDITOR)
    _switch(auditor, "en")
    html = auditor.get(reverse("audit_list")).content.decode()
    assert "Audit trail" in html and "Verify audit chain" in html and "审计日志" not in html
    html = auditor.post(reverse("audit_verify")).content.decode()
    assert "Back to audit trail" in html and "Audit chain intact" in html
    assert re.search(r"Checked all \d+ entries one by one", html)  # the plural form


def test_sign_in_page_switches(fresh_translations: None, db: None) -> None:
    client = Client()
    html = client.get(reverse("login")).content.decode()
    assert "登录" in html
    _switch(client, "en", reverse("login"))
    html = client.get(reverse("login")).content.decode()
    assert "Sign in" in html and "Enter your username" in html


def test_other_tests_still_see_chinese() -> None:
    """Runs after the switch tests: the thread's language was restored, so code outside a request
    (forms, actions, exports in other tests) still speaks Chinese."""
    assert translation.get_language() in (None, settings.LANGUAGE_CODE)
    assert translation.gettext("工作台") == "工作台"
    with translation.override("en"):
        assert translation.gettext("工作台") == "Dashboard"
