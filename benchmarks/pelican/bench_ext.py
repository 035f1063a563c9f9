"""Helpers of the Pelican benchmark site (importable, so that Pelican's
content cache can pickle settings that refer to them):

* a Python-Markdown extension: ``$...$`` and ``$$...$$`` to MathML at build
  time with latex2mathml (what paperfeed does);
* the article sort key: newest day first, ranked by upvotes within a day.
"""

import latex2mathml.converter
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

MATH_RE = r"(?<!\\)(\$\$?)(?!\s)(.+?)(?<!\s)(?<!\\)\1"


class MathProcessor(InlineProcessor):
    def handleMatch(self, m, data):
        display = "block" if m.group(1) == "$$" else "inline"
        try:
            html = latex2mathml.converter.convert(m.group(2), display=display)
        except Exception:  # keep the source, as paperfeed does on bad TeX
            return None, None, None
        return self.md.htmlStash.store(html), m.start(0), m.end(0)


class MathMLExtension(Extension):
    def extendMarkdown(self, md):
        # after code spans (190), before backslash escapes (180)
        md.inlinePatterns.register(MathProcessor(MATH_RE, md), "mathml", 185)


def makeExtension(**kwargs):
    return MathMLExtension(**kwargs)


def article_order(article):
    return (-article.date.timestamp(), -int(getattr(article, "upvotes", 0)))
