"""Catalogues are complete, compiled, and no template shows text outside the translation tags."""

import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
# The Jinja2 partials (threads/partials.py), which `make messages` reads like Django templates.
PARTIALS = sorted(ROOT.rglob("jinja2/**/*.jinja"))
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
# Visible words that are the same in every language, or not words at all.
ALLOWED_LITERALS = {
    "comptoir",
    "--",
    "·",
    "→",
    "←",
    "✔",
    "✘",
    "📎",
    "✉",
    "•",
    "—",
    "(",
    ")",
    "#",
    "/",
    ":",
    # Protocol names, the same in every language.
    "OAuth2",
    "SMTP",
}


def read_po(path: Path) -> list[dict[str, object]]:
    """Minimal .po reader: each entry's msgid, msgstr(s) and flags."""
    entries: list[dict[str, object]] = []
    entry: dict[str, object] = {}
    current = ""
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry:
                entries.append(entry)
            entry, current = {}, ""
            continue
        if line.startswith("#,"):
            entry["flags"] = line[2:].strip()
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
            key, _sep, value = line.partition(" ")
            current = key
            entry[current] = value.strip()[1:-1]
        elif line.startswith('"') and current:
            entry[current] = str(entry[current]) + line[1:-1]
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    po = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    problems = []
    for entry in read_po(po):
        msgid = entry.get("msgid", "")
        if not msgid:
            continue
        if "fuzzy" in str(entry.get("flags", "")):
            problems.append(f"fuzzy: {msgid}")
        translations = [v for k, v in entry.items() if str(k).startswith("msgstr")]
        if not translations or not all(translations):
            problems.append(f"untranslated: {msgid}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_says_what_the_po_file_says(language):
    import gettext

    folder = ROOT / "locale" / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in read_po(folder / "django.po"):
        msgid, msgstr = entry.get("msgid"), entry.get("msgstr")
        if not msgid or "msgid_plural" in entry or msgstr is None:
            continue
        unescape = lambda text: str(text).replace('\\"', '"').replace("\\n", "\n")  # noqa: E731
        context = entry.get("msgctxt")
        found = (
            compiled.pgettext(str(context), unescape(msgid))
            if context
            else compiled.gettext(unescape(msgid))
        )
        if found != unescape(msgstr):
            stale.append(str(msgid))
    assert stale == [], "run `make messages`: " + ", ".join(stale[:10])


def templatized(partial: Path, folder: Path) -> Path:
    """The partial as makemessages hands it to xgettext: Django's templatize, as Python."""
    from django.utils.translation.template import templatize

    out = folder / f"{partial.stem}.py"
    out.write_text(templatize(partial.read_text(encoding="utf-8"), origin=str(partial)))
    return out


def test_every_string_in_the_code_is_in_the_catalogues(tmp_path):
    """xgettext over the sources and the partials finds no msgid the French catalogue lacks."""
    xgettext = subprocess.run(["which", "xgettext"], capture_output=True, text=True, check=False)
    if xgettext.returncode != 0:
        pytest.skip("xgettext (gettext) is not installed")
    known = {e.get("msgid") for e in read_po(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po")}
    sources = [
        str(p) for p in ROOT.rglob("*.py") if "/tests/" not in str(p) and "migrations" not in str(p)
    ]
    sources += [str(templatized(partial, tmp_path)) for partial in PARTIALS]
    out = tmp_path / "py.pot"
    subprocess.run(
        [
            "xgettext",
            "--language=Python",
            "--from-code=UTF-8",
            "--keyword=gettext_lazy",
            "--keyword=_",
            "--keyword=gettext",
            "--keyword=ngettext:1,2",
            "--keyword=pgettext:1c,2",
            "-o",
            str(out),
            *sources,
        ],
        check=True,
    )
    missing = [e["msgid"] for e in read_po(out) if e.get("msgid") and e["msgid"] not in known]
    assert missing == [], f"run `make messages` and translate: {missing}"


# A translation call in a partial: _("..."), with or without arguments after the string.
PARTIAL_CALL = re.compile(r"""\b_\(\s*("[^"]*"|'[^']*')""")


def extractable_calls(template: str) -> list[str]:
    """The msgids of the partial's _() calls that makemessages' templatize finds."""
    from django.utils.translation.template import templatize

    return re.findall(r"""\b_\(("[^"]*"|'[^']*')\)""", templatize(template, origin="partial"))


@pytest.mark.parametrize("path", PARTIALS, ids=lambda p: str(p.relative_to(ROOT)))
def test_makemessages_extracts_every_translation_of_a_partial(path):
    """templatize sees _("...") alone, not _("...", name=value): placeholders go through |format."""
    template = path.read_text(encoding="utf-8")
    assert sorted(extractable_calls(template)) == sorted(PARTIAL_CALL.findall(template))


def test_a_translation_with_keyword_arguments_is_not_extractable():
    template = """<a title="{{ _('Hello %(name)s', name=x) }}">{{ _("Bye")|format() }}</a>"""
    assert extractable_calls(template) == ['"Bye"']
    assert PARTIAL_CALL.findall(template) == ["'Hello %(name)s'", '"Bye"']


TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
BLOCK = re.compile(
    r"{%\s*(blocktranslate|blocktrans)\b.*?{%\s*end(blocktranslate|blocktrans)\s*%}", re.S
)


def visible_text(template: str) -> list[str]:
    """Words a person would read that are not inside a translation tag."""
    text = BLOCK.sub(" ", template)
    # Blocks that fill a class attribute, and character entities, are not words.
    text = re.sub(r"{%\s*block \w*class\s*%}.*?{%\s*endblock\s*%}", " ", text, flags=re.S)
    text = re.sub(r"&#?\w+;", " ", text)
    # A key named by its one character (<kbd>j</kbd>) is the same key in every language.
    text = re.sub(r"<kbd>.</kbd>", " ", text)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    # Tags and comments may span lines (the partials' comments do).
    text = TAG.sub(" ", text)
    # Attribute values people read (placeholder, title, aria-label, alt) count too.
    readable_attrs = re.findall(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"', text)
    text = re.sub(r"<[^>]*>", " ", text)
    chunks = [*text.split("\n"), *readable_attrs]
    found = []
    for chunk in chunks:
        for word in re.findall(r"[^\W\d_][\w'’-]*", chunk):
            if word not in ALLOWED_LITERALS:
                found.append(word)
    return found


HTML_TEMPLATES = sorted(p for p in ROOT.rglob("templates/**/*.html") if "/email/" not in str(p))


@pytest.mark.parametrize(
    "path", [*HTML_TEMPLATES, *PARTIALS], ids=lambda p: str(p.relative_to(ROOT))
)
def test_templates_show_no_text_outside_translation_tags(path):
    assert visible_text(path.read_text(encoding="utf-8")) == []


def test_the_scanner_would_catch_a_bare_word():
    assert visible_text("<p>{% translate 'Hello' %} Goodbye</p>") == ["Goodbye"]
    assert visible_text('<input placeholder="Search here">') == ["Search", "here"]
    assert visible_text("<p>{% translate 'Hello' %} {{ name }}</p>") == []


def test_the_scanner_would_catch_a_bare_word_in_a_partial():
    partial = """{#
      What this partial draws.
    #}
    {% set label = _("Yes"),
       _("No") %}
    <td title="{{ _('Has a note') }}">{{ label }} Maybe</td>
    <span title="Bare title">✔</span>"""
    assert visible_text(partial) == ["Maybe", "Bare", "title"]
