"""Rich text: what HTML a post may hold, its plain text, its word count."""

import html
import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "a", "ul", "ol", "li",
    "blockquote", "code", "pre", "h3", "h4",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
# No javascript:, data: or vbscript: links; relative links are dropped too.
URL_SCHEMES = {"http", "https", "mailto"}
WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")


def sanitize(raw: str) -> str:
    """The subset of HTML a post may keep: no scripts, styles, event handlers or images.

    Text without markup (a plain textarea, an API client) becomes paragraphs and line breaks.
    """
    if "<" not in raw:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", raw) if p.strip()]
        raw = "".join(
            "<p>" + "<br>".join(html.escape(line) for line in p.splitlines()) + "</p>"
            for p in paragraphs
        )
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def plain_text(clean_html: str) -> str:
    """Text without markup; block ends become spaces so that words do not run together."""
    spaced = re.sub(r"<(br|/p|/li|/h[34]|/blockquote|/pre)\s*/?>", " ", clean_html)
    return " ".join(html.unescape(nh3.clean(spaced, tags=set())).split())


def word_count(clean_html: str) -> int:
    return len(WORD.findall(plain_text(clean_html)))


def excerpt(clean_html: str, length: int = 160) -> str:
    text = plain_text(clean_html)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
