"""Rich text: what HTML a post may hold, its plain text, its word count."""

import html
import re

import nh3

from . import markdown

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "a", "ul", "ol", "li",
    "blockquote", "code", "pre", "h3", "h4",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
# No javascript:, data: or vbscript: links; relative links are dropped too.
URL_SCHEMES = {"http", "https", "mailto"}
WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")


# A body holding markup is HTML (API clients may send it); anything else is Markdown, as the
# pages' editor writes it.
HTML_BODY = re.compile(r"<[a-zA-Z!/]")
# The line ends Markdown puts after block tags (not those inside <pre>, which are text).
BLOCK_NEWLINE = re.compile(r"(<br>|</?(?:p|li|ul|ol|blockquote|h3|h4)>|</pre>)\n")


def sanitize(raw: str) -> str:
    """The subset of HTML a post may keep: no scripts, styles, event handlers or images.

    Text without markup is Markdown (the pages' editor, or plain text from an API client)
    and becomes HTML first: paragraphs, line breaks and bare links are kept.
    """
    if not HTML_BODY.search(raw):
        raw = markdown.render(raw)
    cleaned = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return BLOCK_NEWLINE.sub(r"\1", cleaned).strip()


def plain_text(clean_html: str) -> str:
    """Text without markup; block ends become spaces so that words do not run together."""
    spaced = re.sub(r"<(br|/p|/li|/h[34]|/blockquote|/pre)\s*/?>", " ", clean_html)
    return " ".join(html.unescape(nh3.clean(spaced, tags=set())).split())


def word_count(clean_html: str) -> int:
    return len(WORD.findall(plain_text(clean_html)))


def excerpt(clean_html: str, length: int = 160) -> str:
    text = plain_text(clean_html)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
