"""The translation catalogues are complete (issue 18).

- Every text marked for translation in the code, templates and JavaScript has an English translation:
  makemessages is run on a copy of the sources and the result must have no new (empty), fuzzy or stale entry.
- No entry of any committed catalogue is empty or fuzzy.
- The pt-BR pages carry no English from the third-party apps in use: every text of their catalogues has a
  pt-BR translation, theirs or ours (locale/pt_BR completes them).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
#: What makemessages reads: the apps, the templates and the JavaScript (and the catalogues it merges into).
SOURCES = (
    "manage.py",
    "atende_chat",
    "people",
    "tickets",
    "attachments",
    "routing",
    "attendance",
    "csat",
    "reports",
    "privacy",
    "templates",
    "static",
    "locale",
)


def _copy_sources(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.mo", "*.pyc")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy(source, target / name)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    """locale/en as makemessages leaves it after reading today's sources."""
    copy = tmp_path_factory.mktemp("sources")
    _copy_sources(copy)
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{copy / 'db.sqlite3'}", "VAR_DIR": str(copy)}
    for domain in ("django", "djangojs"):
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "en", "-d", domain, "--no-location"],
            cwd=copy,
            env=env,
            check=True,
            capture_output=True,
        )
    return copy / "locale" / "en" / "LC_MESSAGES"


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_marked_text_of_the_sources_has_an_english_translation(regenerated, domain):
    catalogue = polib.pofile(str(regenerated / f"{domain}.po"))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    stale = [entry.msgid for entry in catalogue.obsolete_entries()]
    assert missing == [], f"texts without an English translation in locale/en/LC_MESSAGES/{domain}.po"
    assert fuzzy == [], "guessed (fuzzy) translations: check them and remove the flag"
    assert stale == [], "texts no longer in the sources: run makemessages and drop them"
    assert len(catalogue) == len(polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / f"{domain}.po")))


@pytest.mark.parametrize(
    "path", sorted(LOCALE.glob("*/LC_MESSAGES/*.po")), ids=lambda path: str(path.relative_to(ROOT))
)
def test_no_catalogue_entry_is_empty_or_fuzzy(path):
    catalogue = polib.pofile(str(path))
    assert len(catalogue) > 0
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert not catalogue.metadata_is_fuzzy


def _third_party_catalogues() -> list[tuple[str, Path, str]]:
    """(app, locale dir, domain) of Django and of every installed app outside this project that ships texts."""
    found = []
    roots = [("django", Path(apps.get_app_config("admin").path).parents[1] / "conf" / "locale")]
    roots += [
        (config.name, Path(config.path) / "locale")
        for config in apps.get_app_configs()
        if not Path(config.path).is_relative_to(ROOT) or ".venv" in Path(config.path).parts
    ]
    for name, locale_dir in roots:
        for domain in ("django", "djangojs"):
            if any(locale_dir.glob(f"*/LC_MESSAGES/{domain}.po")):
                found.append((name, locale_dir, domain))
    return found


def _source_entries(locale_dir: Path, domain: str) -> list[polib.POEntry]:
    """The app's texts: its English catalogue (Django keeps its source list there), else its Python code
    read by xgettext (django-axes' catalogues lag behind its code)."""
    source = locale_dir / "en" / "LC_MESSAGES" / f"{domain}.po"
    if source.exists():
        return [entry for entry in polib.pofile(str(source)) if not entry.obsolete]
    files = sorted(str(path) for path in locale_dir.parent.rglob("*.py") if "migrations" not in path.parts)
    keywords = [f"--keyword={name}" for name in ("gettext", "gettext_lazy", "gettext_noop", "pgettext:1c,2")]
    extracted = subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", *keywords, "--output=-", *files],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # An f-string passed to gettext is no msgid at all: nobody can translate it.
    return [entry for entry in polib.pofile(extracted) if entry.msgid and "{" not in entry.msgid]


def _translated(path: Path) -> set[tuple[str | None, str]]:
    if not path.exists():
        return set()
    return {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(path)) if entry.translated()}


@pytest.mark.parametrize(
    ("app", "locale_dir", "domain"), _third_party_catalogues(), ids=lambda value: str(value).rsplit("/", 1)[-1]
)
def test_every_text_of_the_third_party_apps_has_a_pt_br_translation(app, locale_dir, domain):
    # gettext merges every catalogue of the domain: a text may be translated by another app (axes' "Yes" by Django).
    translated = _translated(LOCALE / "pt_BR" / "LC_MESSAGES" / f"{domain}.po")
    for _app, other_dir, other_domain in _third_party_catalogues():
        if other_domain == domain:
            translated |= _translated(other_dir / "pt_BR" / "LC_MESSAGES" / f"{domain}.po")
    missing = [
        entry.msgid
        for entry in _source_entries(locale_dir, domain)
        # Ordinals of django.contrib.humanize ("{}st") have no pt-BR counterpart and are not shown here.
        if (entry.msgctxt, entry.msgid) not in translated and not (entry.msgctxt or "").startswith("ordinal")
    ]
    assert missing == [], f"{app} ({domain}): add these to locale/pt_BR/LC_MESSAGES/{domain}.po"
