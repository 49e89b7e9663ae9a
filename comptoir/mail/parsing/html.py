"""HTML bodies: sanitised for display with nh3, converted to text with html.parser.

Sanitising (``sanitise``) keeps the structure and the text and removes everything active:
scripts, styles, event handlers, forms, frames, ``class``/``id``/``style`` attributes (the desk's
Content-Security-Policy forbids inline styles anyway), and every URL that is not plainly safe.
Images: ``cid:`` sources are kept (the desk serves them from the message's attachments);
``data:image/{png,jpeg,gif,webp};base64`` sources are kept (they are already inside the message
and load nothing; the CSP allows ``data:`` images; SVG is refused); remote ``http(s)`` sources are
*removed*, so that opening a message never tells a sender it was read (tracking pixels) and
never loads third-party content; the ``alt`` text stays. Links keep ``http``, ``https``,
``mailto`` and ``tel`` targets only.

Converting (``to_text``) drops head/script/style, turns blocks and ``<br>`` into line breaks,
list items into "- " lines, links into "text (url)", and prefixes quoted blocks with "> ". It
also reports where the quoted history starts (Gmail's ``gmail_quote``, ``<blockquote>``,
Outlook's reply header, Thunderbird's ``moz-cite-prefix``, signature containers...), so that the
quote separator can cut there.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import nh3

_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign", "scope"},
    "ol": {"start"},
}
_CLEAN_CONTENT = {"script", "style", "title", "noscript", "template", "textarea", "select", "svg"}
_IMAGE_DATA = re.compile(r"data:image/(?:png|jpeg|jpg|gif|webp);base64,", re.IGNORECASE)
_LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    lowered = value.strip().lower()
    if tag == "img" and attribute == "src":
        return value if lowered.startswith("cid:") or _IMAGE_DATA.match(lowered) else None
    if tag == "a" and attribute == "href":
        return value if lowered.startswith(_LINK_SCHEMES) else None
    return value


# Elements that never nest (void) or whose end tag is optional (closed by the next one): they
# do not count in the nesting depth. Every other open element does: html5ever (and so nh3)
# takes quadratic time on deep nesting, block elements ("<div>" * n) and formatting ones
# ("<i><a href=x>" * n, a million unclosed "<b>") alike.
_NOT_NESTING = {
    *("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"),
    *("source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody"),
    *("tfoot", "colgroup", "option", "optgroup", "rb", "rt", "rp", "html", "head", "body"),
}
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,20})\b")
MAX_NESTING = 1000
# Over this many tags, the text is read with a regular expression, not html.parser (about
# seven seconds per million tags).
MAX_TAGS = 100_000


def nesting_depth(html: str) -> int:
    """How deep elements nest (an upper bound, in one linear pass)."""
    depth = deepest = 0
    for match in _TAG_NAME.finditer(html):
        if match[2].lower() in _NOT_NESTING:
            continue
        if match[1]:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def sanitise(html: str) -> str:
    """Safe HTML to show a message as it was written (see the module docstring). Callers check
    ``nesting_depth`` first: nh3 takes quadratic time on absurdly deep nesting."""
    return nh3.clean(
        html,
        attributes=_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto", "tel", "cid", "data"},
        url_relative="deny",
        clean_content_tags=_CLEAN_CONTENT,
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
    )


# --- HTML to text ---------------------------------------------------------------------------

# Elements whose content is not text (<head> itself is not skipped: a missing </head> would
# hide the whole message).
_SKIP = {"script", "style", "title", "noscript", "template", "svg", "xml"}
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "pre", "dl"}
_LINE = {
    *("div", "tr", "li", "dt", "dd", "hr", "section", "article", "header", "footer"),
    *("address", "center", "caption", "figure", "figcaption", "details", "summary", "body"),
}
# Where clients put the quoted history or the signature.
_QUOTE_CLASSES = (
    *("gmail_quote", "gmail_signature", "moz-cite-prefix", "moz-signature", "yahoo_quoted"),
    *("protonmail_quote", "outlookmessageheader", "zmail_extra"),
)
_QUOTE_IDS = {
    *("divrplyfwdmsg", "x_divrplyfwdmsg", "appendonsend", "signature", "applemailsignature"),
    *("mail-editor-reference-message-container", "ms-outlook-mobile-signature"),
    "ymail_android_signature",
}
MAX_QUOTE_PREFIX = 20
_OUTLOOK_HEADER_STYLE = re.compile(r"border-top:\s*solid\s+#(?:e1e1e1|b5c4df)", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\n\f\v\xa0]+")
_CUT = "\x00"


def _is_quote_start(tag: str, attrs: dict[str, str]) -> bool:
    if tag == "blockquote":
        return True
    classes = attrs.get("class", "").lower()
    if any(name in classes for name in _QUOTE_CLASSES):
        return True
    if attrs.get("id", "").lower() in _QUOTE_IDS:
        return True
    return tag == "div" and bool(_OUTLOOK_HEADER_STYLE.search(attrs.get("style", "")))


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.pre = 0
        self.quote_depth = 0
        self.cut_done = False
        self.links: list[tuple[str, int]] = []
        self.at_line_start = True
        self.newlines = 0

    # writing

    def _tail(self) -> str:
        return self.out[-1][-2:] if self.out else ""

    def write(self, text: str) -> None:
        if not text:
            return
        if self.at_line_start and self.quote_depth and text != "\n":
            self.out.append("> " * min(self.quote_depth, MAX_QUOTE_PREFIX))
        self.out.append(text)
        stripped = text.rstrip("\n")
        trailing = len(text) - len(stripped)
        self.newlines = self.newlines + trailing if not stripped else trailing
        self.at_line_start = trailing > 0

    def newline(self, count: int = 1) -> None:
        """End the current line and leave ``count - 1`` blank lines (none at the very start)."""
        if not self.out:
            return
        for _ in range(max(0, count - self.newlines)):
            self.write("\n")

    # parser callbacks

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.skip = 0
        if tag in _SKIP:
            self.skip += 1
            return
        values = {name: value or "" for name, value in attrs}
        if not self.cut_done and not self.skip and _is_quote_start(tag, values):
            self.newline()
            self.out.append(_CUT)
            self.cut_done = True
        self._open_block(tag, values)

    def _open_block(self, tag: str, values: dict[str, str]) -> None:
        if self.skip:
            return
        if tag == "blockquote":
            self.newline(2)
            self.quote_depth += 1
        elif tag in _PARAGRAPH:
            self.newline(2)
        elif tag in _LINE:
            self.newline()
        if tag == "pre":
            self.pre += 1
        elif tag == "br":
            self.write("\n")
        elif tag == "li":
            self.write("- ")
        elif tag in ("td", "th") and self._tail() and not self._tail().endswith((" ", "\n")):
            self.write(" ")
        elif tag == "a" and len(self.links) < 100:
            self.links.append((values.get("href", "").strip(), len(self.out)))
        elif tag == "img" and values.get("alt", "").strip():
            self.write(f"[{_SPACES.sub(' ', values['alt']).strip()}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img", "hr", "wbr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "blockquote" and self.quote_depth:
            self.quote_depth -= 1
            self.newline(2)
        elif tag in _PARAGRAPH:
            self.newline(2)
        elif tag in _LINE:
            self.newline()
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        elif tag == "a" and self.links:
            self._close_link(*self.links.pop())

    def _close_link(self, href: str, start: int) -> None:
        text = "".join(self.out[start : start + _MAX_LINK_PIECES]).strip()
        target = href[7:] if href.lower().startswith("mailto:") else href
        if not href.lower().startswith(("http://", "https://", "mailto:")):
            return
        if target and target not in text and text:
            self.write(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        data = data.replace(_CUT, "")
        if self.pre:
            for index, line in enumerate(data.split("\n")):
                if index:
                    self.write("\n")
                self.write(line)
            return
        text = _SPACES.sub(" ", data)
        if self.at_line_start or not self.out or self._tail().endswith((" ", "\n")):
            text = text.lstrip(" ")
        self.write(text)


def _normalise(raw: str) -> tuple[str, int | None]:
    """Trailing spaces removed, at most one blank line in a row, the cut marker turned into an
    offset."""
    lines: list[str] = []
    cut: int | None = None
    length = 0
    for line in raw.split("\n"):
        if _CUT in line:
            line = line.replace(_CUT, "")
            cut = length if cut is None else cut
        line = line.rstrip()
        if not line.strip(" >") and lines and not lines[-1].strip(" >"):
            continue
        lines.append(line)
        length += len(line) + 1
    text = "\n".join(lines)
    stripped = text.lstrip("\n")
    shift = len(text) - len(stripped)
    text = stripped.rstrip()
    if cut is not None:
        cut = min(max(0, cut - shift), len(text))
    return text, cut


_DECLARATION = re.compile(r"<[!?]")
_STRAY_LT = re.compile(r"<(?![A-Za-z/])|<(?=[^<>]*(?:<|\Z))")
_TAG = re.compile(r"<[^<>]*>")
_MAX_LINK_PIECES = 200


def _without_declarations(html: str) -> str:
    """Comments, ``<!...>`` and ``<?...>`` removed (an unclosed one runs to the end, as in a
    browser), in one linear pass: Python's html.parser is quadratic on unclosed comments and
    fails on some malformed ``<![`` sections."""
    pieces: list[str] = []
    position = 0
    while (match := _DECLARATION.search(html, position)) is not None:
        start = match.start()
        pieces.append(html[position:start])
        if html.startswith("<!--", start):
            end = html.find("-->", start + 4)
            position = len(html) if end < 0 else end + 3
        else:
            end = html.find(">", start + 2)
            position = len(html) if end < 0 else end + 1
    pieces.append(html[position:])
    return "".join(pieces)


def _prepare(html: str) -> str:
    """Markup html.parser handles in linear time: no declarations, and every "<" that cannot
    start a complete tag escaped."""
    html = html.replace(_CUT, "").replace("\r\n", "\n").replace("\r", "\n")
    return _STRAY_LT.sub("&lt;", _without_declarations(html))


def _plain_fallback(html: str) -> str:
    return _SPACES.sub(" ", unescape(_TAG.sub(" ", html))).strip()


def to_text(html: str) -> tuple[str, int | None]:
    """(text, offset where quoted history starts in that text, or None)."""
    prepared = _prepare(html)
    if prepared.count("<") > MAX_TAGS:
        return _plain_fallback(prepared), None
    converter = _Converter()
    try:
        converter.feed(prepared)
        converter.close()
    except (AssertionError, ValueError):  # html.parser's own failures on broken markup
        return _plain_fallback(prepared), None
    return _normalise("".join(converter.out))
