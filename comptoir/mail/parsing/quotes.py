"""Separating the new text of a reply from the quoted history and the signature.

The new text is always one contiguous piece of the full text (so the full original stays the
reference and nothing is rewritten). The history starts at the first *quote header*:

- an attribution line, possibly wrapped over up to three lines: "On <date>, <name> wrote:",
  "Le <date>, <name> a écrit :", "El <date>, <name> escribió:" (and German, Italian,
  Portuguese, Dutch, Polish, Russian variants, the verb before or after the name), or any
  "... wrote:" line, or a line ending with an address or a time and a colon (Gmail in Russian,
  Yandex, mail.ru), directly followed by "> " lines;
- a separator: "-----Original Message-----", "-----Message d'origine-----",
  "-----Mensaje original-----", "---------- Forwarded message ---------", "Begin forwarded
  message:" and their translations, or a line of underscores before a header block;
- a header block as Outlook writes it: "From:/De :/De:" followed within five lines by two of
  "Sent:/Envoyé :/Enviado:/Date:/To:/À :/Para:/Subject:/Objet :/Asunto:".

Before that point, a trailing block of "> " lines goes to the history too, and the first
signature ends the new text: the "-- " delimiter, a PGP signature, a mobile client's
"Sent from my iPhone" / "Envoyé de mon iPhone" / "Von meinem iPhone gesendet" / "Отправлено с
iPhone" / "Get Outlook for Android"... line (on a line of its own, not starting a sentence), or
a last line "-Name". A reply written *below* the quote (bottom-posting), also after a greeting
alone ("Hi," / the quote / the answer), is found too. When the rules would leave nothing, the
new text is the whole text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FLAGS = re.IGNORECASE
_SEPARATOR = re.compile(
    r"^-{2,}\s*(?:original message|message d['’]origine|mensaje original|ursprüngliche nachricht"
    r"|messaggio originale|mensagem original|oorspronkelijk bericht|forwarded message"
    r"|message transféré|mensaje reenviado|weitergeleitete nachricht|messaggio inoltrato"
    r"|mensagem encaminhada|original-nachricht|originele bericht|oryginalna wiadomość"
    r"|wiadomość oryginalna|przekazana wiadomość|исходное сообщение|пересылаемое сообщение"
    r"|оригинальное сообщение)\s*-{2,}$"
    r"|^-{2,}\s*this is a copy of the message.{0,80}$"
    r"|^(?:begin forwarded message|début du message réexpédié|inicio del mensaje reenviado"
    r"|anfang der weitergeleiteten nachricht|inizio messaggio inoltrato"
    r"|начало пересылаемого сообщения)\s*:$",
    _FLAGS,
)
_UNDERSCORES = re.compile(r"^_{20,}$")
_HEADER_FROM = re.compile(r"^\*?(?:from|de|von|da|van|od|от)\s*\*?\s*:\s*\S", _FLAGS)
_HEADER_DATE = re.compile(r"^\*?(?:date|sent|datum|fecha|data|дата|envoyé)\s*\*?\s*:\s*\S", _FLAGS)
_HEADER_FIELD = re.compile(
    r"^\*?(?:sent|envoyé|enviado(?: el)?|date|fecha|gesendet|datum|data|inviato|to|à|a|para"
    r"|an|aan|subject|objet|asunto|betreff|oggetto|assunto|onderwerp|cc|reply-to"
    r"|répondre à|responder a|verzonden|wysłane|wysłano|do|temat|dw|отправлено|дата|кому"
    r"|тема|копия|from|de|von|da|van|od|от)\s*\*?\s*:",
    _FLAGS,
)
_VERBS = (
    r"(?:wrote|a\s+[ée]crit|escribió|escribio|schrieb|ha\s+scritto|escreveu|schreef|skrev"
    r"|het\s+volgende\s+geschreven|napisał\(a\)|napisała|napisał|pisze|написал\(а\)"
    r"|написала|написал|пишет)"
)
_ATTRIBUTION_START = re.compile(r"^(?:on|le|el|am|il|em|op|den|w dniu)\s", _FLAGS)
_ATTRIBUTION = re.compile(
    rf"^(?:on|le|el|am|il|em|op|den|w dniu)\s.{{0,400}}?{_VERBS}"
    r"(?:\s+[^:\n]{0,150}?)?\s*:\s*$",
    _FLAGS | re.DOTALL,
)
_ANY_ATTRIBUTION = re.compile(rf"^.{{0,300}}?{_VERBS}(?:\s+[^:]{{0,150}}?)?\s*:\s*$", _FLAGS)
# "26.06.2014, 14:41, "Name" <name@host>:", "… 9:58 +03:00 от Name <name@host>:", Gmail in
# Russian: a line ending with an address or a time and a colon, followed by quoted lines.
_DATED_ATTRIBUTION = re.compile(
    r"^.{0,300}(?:<[^<>\s@]{1,200}@[^<>\s]{1,200}>|\d{1,2}[:.]\d{2}\b.{0,200}|\bот\s.{1,200})"
    r"\)?\s*:\s*$",
    _FLAGS,
)
_MOBILE_SIGNATURE = re.compile(
    r"^(?:(?:sent|envoyé|enviado|inviato|verstuurd|verzonden|wysłane|wysłano|отправлено"
    r"|gesendet)\s+(?:from|de|depuis|à\s+partir\s+de|à\s+partir\s+d['’]|desde|with|avec|con"
    r"|using|via|do|da|dal|dalla|vanaf|met|z|ze|с|со|из|von)\s+\S.{0,70}"
    r"|von\s+meinem\s+\S.{0,60}\s+gesendet\.?"
    r"|(?:get|obtenir|descargar|télécharger|obtener|scarica|baixe|download|pobierz"
    r"|скачайте)\s+outlook\s+(?:for|pour|para|per|voor|für|dla|для)\s+(?:ios|android)\b\S{0,5}"
    r"(?:\s*<[^<>\s]{1,200}>)?)$",
    _FLAGS,
)
# "-Anna" or "--Jean Dupont" as the last line of a reply.
_DASH_NAME = re.compile(r"^-{1,2}[^\W\d_][\w.'’-]{0,30}(?: [^\W\d_][\w.'’-]{0,30}){0,2}$")
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|bonjour|bonsoir|salut|hola"
    r"|buenos días|buenas(?: tardes)?|estimad[oa]s?|hallo|guten (?:tag|morgen)|liebe[rs]?"
    r"|sehr geehrte[rs]?|ciao|buongiorno|buonasera|salve|gentile|olá|ola|bom dia|boa tarde"
    r"|caro|cara|prezad[oa]|hoi|beste|goedemorgen|goedemiddag|dzień dobry|witam|cześć"
    r"|szanown[aiy]|здравствуйте|добрый день|добрый вечер|привет|уважаем[ыа][ея])\b"
    r"[^.?;,!:]{0,40}[,!:]?$",
    _FLAGS,
)
_PGP_SIGNATURE = "-----BEGIN PGP SIGNATURE-----"
_PGP_SIGNED = "-----BEGIN PGP SIGNED MESSAGE-----"


@dataclass(frozen=True)
class Reply:
    new_text: str
    quoted_text: str


class _Lines:
    """The text's lines with their offsets; line kinds computed on demand."""

    def __init__(self, text: str) -> None:
        self.raw = text.splitlines(keepends=True)
        self.stripped = [line.strip().replace("\xa0", " ") for line in self.raw]
        self.offsets = [0]
        for line in self.raw:
            self.offsets.append(self.offsets[-1] + len(line))

    def __len__(self) -> int:
        return len(self.raw)

    def blank(self, i: int) -> bool:
        return not self.stripped[i]

    def quoted(self, i: int) -> bool:
        return self.stripped[i].startswith(">")

    def content(self, i: int) -> bool:
        return not self.blank(i) and not self.quoted(i)

    def header_length(self, i: int) -> int:
        """How many lines the quote header starting at line ``i`` takes (0: not a header)."""
        line = self.stripped[i]
        if not line or line.startswith(">"):
            return 0
        if _SEPARATOR.match(line):
            return 1
        if _UNDERSCORES.match(line):
            following = self._next_content(i + 1, 3)
            return 1 if following is not None and self._header_block(following) else 0
        if self._header_block(i):
            return 1
        return self._attribution_length(i)

    def _next_content(self, start: int, within: int) -> int | None:
        for j in range(start, min(len(self), start + within)):
            if not self.blank(j):
                return j
        return None

    def _header_block(self, i: int) -> bool:
        """ "From:" and two more fields within five lines; or, as Hotmail writes it, "Date:"
        first, then "From:" and one more field."""
        line = self.stripped[i]
        starts_with_date = _HEADER_DATE.match(line) is not None
        if not (_HEADER_FROM.match(line) or starts_with_date):
            return False
        following = [self.stripped[j] for j in range(i + 1, min(len(self), i + 6))]
        fields = sum(1 for text in following if _HEADER_FIELD.match(text))
        if starts_with_date:
            return fields >= 2 and any(_HEADER_FROM.match(text) for text in following[:2])
        return fields >= 2

    def _attribution_length(self, i: int) -> int:
        line = self.stripped[i]
        if _ATTRIBUTION_START.match(line):
            joined = line
            for extra in range(3):
                if len(joined) <= 500 and _ATTRIBUTION.match(joined):
                    return extra + 1
                if i + extra + 1 >= len(self) or self.blank(i + extra + 1):
                    break
                joined = f"{joined} {self.stripped[i + extra + 1]}"
        if len(line) <= 300 and (_ANY_ATTRIBUTION.match(line) or _DATED_ATTRIBUTION.match(line)):
            following = self._next_content(i + 1, 3)
            if following is not None and self.quoted(following):
                return 1
        return 0

    def signature(self, i: int) -> bool:
        raw = self.raw[i].rstrip("\r\n")
        line = self.stripped[i]
        return raw in ("-- ", "--") or line == _PGP_SIGNATURE or self._mobile_signature(i)

    def _mobile_signature(self, i: int) -> bool:
        """ "Sent from my iPhone" on a line of its own, not "Sent from my phone, the order..."
        starting a sentence."""
        line = self.stripped[i]
        if len(line) > 120 or len(line.split()) > 10 or any(c in line for c in ",;?!"):
            return False
        if not _MOBILE_SIGNATURE.match(line):
            return False
        following = i + 1
        return (
            following >= len(self)
            or self.blank(following)
            or self.quoted(following)
            or self.header_length(following) > 0
        )

    def dash_name(self, i: int) -> bool:
        """ "-Anna": a name signed with a dash (not a "- item" of a list)."""
        previous = self.stripped[i - 1] if i else ""
        return bool(_DASH_NAME.match(self.stripped[i])) and not previous.startswith("-")


def _first_header(lines: _Lines, start: int, stop: int) -> tuple[int, int]:
    """(index, length) of the first quote header in [start, stop), or (stop, 0)."""
    for i in range(start, stop):
        length = lines.header_length(i)
        if length:
            return i, length
    return stop, 0


def _skip(lines: _Lines, i: int, stop: int, *, quoted: bool) -> int:
    """The first line from ``i`` that is neither blank nor (if ``quoted``) a "> " line."""
    while i < stop and (lines.blank(i) or (quoted and lines.quoted(i))):
        i += 1
    return i


def _trim_end(lines: _Lines, start: int, end: int) -> int:
    """Drop trailing blank and "> " lines."""
    while end > start and (lines.blank(end - 1) or lines.quoted(end - 1)):
        end -= 1
    return end


def _signature_cut(lines: _Lines, start: int, end: int) -> int:
    seen_content = False
    for i in range(start, end):
        if seen_content and lines.signature(i):
            return i
        seen_content = seen_content or lines.content(i)
    last = _trim_end(lines, start, end) - 1
    if last > start and lines.dash_name(last):
        return last
    return end


def _pgp_armour_end(lines: _Lines, start: int) -> int:
    """Skip an inline PGP signed-message header ("-----BEGIN PGP SIGNED MESSAGE-----",
    "Hash: ..." and the blank line)."""
    if start >= len(lines) or lines.stripped[start] != _PGP_SIGNED:
        return start
    i = start + 1
    while i < len(lines) and not lines.blank(i):
        i += 1
    return i


def _region(lines: _Lines, limit: int) -> tuple[int, int]:
    """The [start, end) lines of the new text, or an empty range."""
    start = _skip(
        lines, _pgp_armour_end(lines, _skip(lines, 0, limit, quoted=False)), limit, quoted=False
    )
    header, length = _first_header(lines, start, limit)
    before = [i for i in range(start, header) if lines.content(i)]
    if not before:
        return _bottom_posted(lines, start, header, length, limit)
    if header < limit and len(before) == 1 and _GREETING.match(lines.stripped[before[0]]):
        # "Hi," then the quote, then the answer written below it.
        below = _bottom_posted(lines, start, header, length, limit)
        if below[1] > below[0] and not lines.signature(below[0]):
            return below
    start = _skip_leading_quote(lines, start, header)
    end = _trim_end(lines, start, header)
    end = _trim_end(lines, start, _signature_cut(lines, start, end))
    return start, end


def _skip_leading_quote(lines: _Lines, start: int, end: int) -> int:
    """A leading quote followed by one unquoted block is bottom-posting: the reply is the
    block; quotes interleaved with answers are kept whole."""
    if not lines.quoted(start):
        return start
    first = _skip(lines, start, end, quoted=True)
    rest_end = _trim_end(lines, first, end)
    if any(lines.quoted(i) for i in range(first, rest_end)):
        return start
    return first


def _bottom_posted(
    lines: _Lines, start: int, header: int, length: int, limit: int
) -> tuple[int, int]:
    """Nothing but quotes before the first header: look for a reply written below them. An
    Outlook-style header followed by unquoted history means there is no new text at all."""
    begin = start
    if header < limit:
        begin = _skip(lines, header + length, limit, quoted=False)
        if begin >= limit or not lines.quoted(begin):
            return 0, 0
    first = _skip(lines, begin, limit, quoted=True)
    if first >= limit:
        return 0, 0
    stop, _ = _first_header(lines, first, limit)
    end = _trim_end(lines, first, stop)
    end = _trim_end(lines, first, _signature_cut(lines, first, end))
    if any(lines.quoted(i) for i in range(first, end)):
        # Answers interleaved with the quoted questions: keep the first question too.
        first = begin
    return first, end


def split_reply(text: str, history_at: int | None = None) -> Reply:
    """Split ``text`` into its new part and what was removed. ``history_at`` is an offset where
    the history is already known to start (from the HTML structure)."""
    lines = _Lines(text)
    limit = len(lines)
    if history_at is not None:
        limit = next((i for i in range(len(lines)) if lines.offsets[i + 1] > history_at), limit)
    start, end = _region(lines, limit)
    new_start, new_end = lines.offsets[start], lines.offsets[end]
    new_text = text[new_start:new_end].strip()
    if not new_text:
        return Reply(new_text=text.strip(), quoted_text="")
    removed = [part.strip() for part in (text[:new_start], text[new_end:])]
    return Reply(new_text=new_text, quoted_text="\n\n".join(part for part in removed if part))
