"""The rich text of a document as y-prosemirror stores it, read and rewritten on the server.

y-prosemirror keeps a ProseMirror document in the XmlFragment "prosemirror": one XmlElement
per block node (its tag the node's name: `paragraph`, `heading` with a `level` attribute,
`blockquote`, `code_block`, `horizontal_rule`, `image`, `hard_break`), and XmlText for text,
its marks as formatting attributes (`strong`, `em`, `code`, `link` with `href`). The editor
uses prosemirror-schema-basic (web/js/collab-doc.js); these are its nodes and marks.
"""

from __future__ import annotations

import html

from pycrdt import Doc, XmlElement, XmlFragment, XmlText

FRAGMENT = "prosemirror"


def fragment(doc: Doc) -> XmlFragment:
    return doc.get(FRAGMENT, type=XmlFragment)


def plain_text(doc: Doc) -> str:
    """The text of every block, one line each (what tests and searches compare)."""
    return "\n".join(_text_of(node) for node in fragment(doc).children)


def _text_of(node) -> str:
    if isinstance(node, XmlText):
        return "".join(chunk for chunk, _ in node.diff() if isinstance(chunk, str))
    return "".join(_text_of(child) for child in node.children)


def _attrs(node: XmlElement) -> dict:
    return dict(node.attributes)


# -- Markdown ------------------------------------------------------------------------------


def to_markdown(doc: Doc) -> str:
    blocks = [_md_block(node) for node in fragment(doc).children]
    return "\n\n".join(block for block in blocks if block is not None).strip() + "\n"


def _md_block(node) -> str | None:
    if isinstance(node, XmlText):
        return _md_inline(node)
    tag, attrs = node.tag, _attrs(node)
    inner = "".join(_md_inline(child) for child in node.children if isinstance(child, XmlText))
    if tag == "heading":
        level = min(max(int(float(attrs.get("level", 1) or 1)), 1), 6)
        return "#" * level + " " + inner
    if tag == "blockquote":
        quoted = "\n\n".join(filter(None, (_md_block(child) for child in node.children)))
        return "\n".join("> " + line if line else ">" for line in quoted.split("\n"))
    if tag == "code_block":
        return "```\n" + _text_of(node) + "\n```"
    if tag == "horizontal_rule":
        return "---"
    if tag == "image":
        return f"![{attrs.get('alt') or ''}]({attrs.get('src') or ''})"
    return "".join(_md_child(child) for child in node.children)


def _md_child(node) -> str:
    if isinstance(node, XmlText):
        return _md_inline(node)
    if node.tag == "hard_break":
        return "  \n"
    if node.tag == "image":
        return _md_block(node) or ""
    return _text_of(node)


_MD_ESCAPE = str.maketrans({c: "\\" + c for c in "\\`*_[]#<>"})


def _md_inline(text: XmlText) -> str:
    out = []
    for chunk, marks in text.diff():
        if not isinstance(chunk, str):
            continue
        marks = marks or {}
        piece = f"`{chunk}`" if "code" in marks else chunk.translate(_MD_ESCAPE)
        if "strong" in marks:
            piece = f"**{piece}**"
        if "em" in marks:
            piece = f"*{piece}*"
        link = marks.get("link")
        if isinstance(link, dict) and link.get("href"):
            piece = f"[{piece}]({link['href']})"
        out.append(piece)
    return "".join(out)


# -- HTML ------------------------------------------------------------------------------------

_BLOCK_TAGS = {"paragraph": "p", "blockquote": "blockquote"}


def to_html(doc: Doc) -> str:
    return "\n".join(_html_node(node) for node in fragment(doc).children) + "\n"


def _html_node(node) -> str:
    if isinstance(node, XmlText):
        return _html_inline(node)
    tag, attrs = node.tag, _attrs(node)
    inner = "".join(_html_node(child) for child in node.children)
    if tag == "heading":
        level = min(max(int(float(attrs.get("level", 1) or 1)), 1), 6)
        return f"<h{level}>{inner}</h{level}>"
    if tag == "code_block":
        return f"<pre><code>{html.escape(_text_of(node))}</code></pre>"
    if tag == "horizontal_rule":
        return "<hr>"
    if tag == "hard_break":
        return "<br>"
    if tag == "image":
        src = html.escape(str(attrs.get("src") or ""))
        return f'<img src="{src}" alt="{html.escape(str(attrs.get("alt") or ""))}">'
    name = _BLOCK_TAGS.get(tag, "div")
    return f"<{name}>{inner}</{name}>"


def _html_inline(text: XmlText) -> str:
    out = []
    for chunk, marks in text.diff():
        if not isinstance(chunk, str):
            continue
        marks = marks or {}
        piece = html.escape(chunk)
        if "code" in marks:
            piece = f"<code>{piece}</code>"
        if "strong" in marks:
            piece = f"<strong>{piece}</strong>"
        if "em" in marks:
            piece = f"<em>{piece}</em>"
        link = marks.get("link")
        if isinstance(link, dict) and str(link.get("href", "")).startswith(
            ("http", "/", "mailto:")
        ):
            piece = f'<a href="{html.escape(str(link["href"]))}">{piece}</a>'
        out.append(piece)
    return "".join(out)


# -- restoring a version -----------------------------------------------------------------------


def replace_content(target: Doc, source: Doc) -> None:
    """Make `target`'s text read as `source`'s: its blocks removed, copies of the source's
    inserted, in one transaction (one update for the live editors)."""
    into = fragment(target)
    with target.transaction():
        del into.children[0 : len(into.children)]
        for node in fragment(source).children:
            _copy_into(into, node)


def _copy_into(parent, node) -> None:
    if isinstance(node, XmlText):
        text = parent.children.append(XmlText())
        position = 0
        for chunk, marks in node.diff():
            if isinstance(chunk, str):
                text.insert(position, chunk, marks or None)
                position += len(chunk)
        return
    element = parent.children.append(XmlElement(node.tag, _attrs(node)))
    for child in node.children:
        _copy_into(element, child)
