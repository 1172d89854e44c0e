"""Posts are written in Markdown and stored as sanitised HTML (forums/text.py).

`render` turns what the page's editor sends into HTML (line breaks kept, bare links made
links, raw HTML shown as text); `to_markdown` gives a stored post back as Markdown so that
"Modifier" opens the text its author would have typed, never raw HTML. The two are kept
inverse on the tags `text.ALLOWED_TAGS` lets through (tests/forums/test_markdown.py).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"breaks": True, "html": False, "linkify": True}).enable(
    ["linkify", "strikethrough"]
)
# Characters that would turn plain text into Markdown syntax when read back, and text that
# would start a list item ("1. ", "- ", "+ ").
_SPECIAL = re.compile(r"([\\`*_\[\]~<>#|])")
_LIST_START = re.compile(r"^(\s*)(\d+)([.)])(?=\s|$)|^(\s*)([-+])(?=\s|$)")


def render(text: str) -> str:
    """HTML of a Markdown text (to be sanitised like any other input)."""
    return _MARKDOWN.render(text)


class _Node:
    def __init__(self, tag: str, attrs: dict[str, str] | None = None) -> None:
        self.tag = tag
        self.attrs = attrs or {}
        self.children: list[_Node | str] = []


class _TreeBuilder(HTMLParser):
    VOID = {"br"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _escape(text: str) -> str:
    text = _SPECIAL.sub(r"\\\1", text)
    marker = _LIST_START.match(text)
    if marker is None:
        return text
    if marker.group(2):
        return f"{marker.group(1)}{marker.group(2)}\\{text[marker.end(2) :]}"
    return f"{marker.group(4)}\\{text[marker.end(4) :]}"


def _inline(node: _Node | str) -> str:
    if isinstance(node, str):
        return _escape(node.replace("\n", " "))
    inner = "".join(_inline(child) for child in node.children)
    tag = node.tag
    if tag == "br":
        return "\n"
    if tag in ("strong", "b"):
        return f"**{inner}**" if inner.strip() else inner
    if tag in ("em", "i"):
        return f"*{inner}*" if inner.strip() else inner
    if tag == "s":
        return f"~~{inner}~~" if inner.strip() else inner
    if tag == "code":
        raw = "".join(c for c in node.children if isinstance(c, str))
        fence = "``" if "`" in raw else "`"
        return f"{fence}{raw}{fence}"
    if tag == "a":
        href = node.attrs.get("href", "")
        plain = "".join(c for c in node.children if isinstance(c, str))
        if href and plain in (href, href.removeprefix("http://"), href.removeprefix("mailto:")):
            return plain  # a bare link, made a link again when read
        if not href:
            return inner
        return f"[{inner}](<{href}>)" if re.search(r"[\s()<>]", href) else f"[{inner}]({href})"
    return inner  # u, and anything else the sanitiser let through: its text


def _blocks(node: _Node) -> list[str]:
    """The Markdown blocks of a container's children, inline runs gathered into paragraphs."""
    blocks: list[str] = []
    run: list[_Node | str] = []

    def flush() -> None:
        text = "".join(_inline(n) for n in run).strip()
        if text:
            blocks.append(text)
        run.clear()

    for child in node.children:
        if isinstance(child, _Node) and child.tag in _BLOCK:
            flush()
            block = _BLOCK[child.tag](child)
            if block.strip():
                blocks.append(block)
        elif not (isinstance(child, str) and not child.strip() and not run):
            run.append(child)
    flush()
    return blocks


def _paragraph(node: _Node) -> str:
    return "".join(_inline(c) for c in node.children).strip()


def _heading(level: int):
    return lambda node: "#" * level + " " + _paragraph(node)


def _quote(node: _Node) -> str:
    inner = "\n\n".join(_blocks(node))
    return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))


def _list(node: _Node) -> str:
    items = [c for c in node.children if isinstance(c, _Node) and c.tag == "li"]
    lines = []
    for number, item in enumerate(items, 1):
        marker = f"{number}. " if node.tag == "ol" else "- "
        loose = any(isinstance(c, _Node) and c.tag == "p" for c in item.children)
        body = ("\n\n" if loose else "\n").join(_blocks(item))
        indent = " " * len(marker)
        first, *rest = body.split("\n") or [""]
        lines.append(marker + first)
        lines.extend(indent + line if line else "" for line in rest)
    return "\n".join(lines)


def _pre(node: _Node) -> str:
    code = "".join(
        c if isinstance(c, str) else "".join(x for x in c.children if isinstance(x, str))
        for c in node.children
    )
    return "```\n" + code.rstrip("\n") + "\n```"


_BLOCK = {
    "p": _paragraph,
    "h3": _heading(3),
    "h4": _heading(4),
    "blockquote": _quote,
    "ul": _list,
    "ol": _list,
    "pre": _pre,
}


def to_markdown(clean_html: str) -> str:
    """The Markdown of a stored (sanitised) post, for its author to edit."""
    builder = _TreeBuilder()
    builder.feed(clean_html)
    builder.close()
    return "\n\n".join(_blocks(builder.root))
