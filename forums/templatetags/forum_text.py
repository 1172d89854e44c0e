"""`{{ post.body|markdown_source }}`: a stored post as the Markdown its editor opens with."""

from django import template

from forums.markdown import to_markdown

register = template.Library()


@register.filter
def markdown_source(clean_html: str) -> str:
    return to_markdown(clean_html)
