# Pelican side of the paperfeed benchmark: a hand-made paper site equivalent
# to paperfeed's default output (article = paper page; paginated day
# (category), tag and author lists; site RSS and per-tag RSS; math rendered to
# MathML at build time by a Markdown extension using latex2mathml).
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # for bench_ext

import bench_ext  # noqa: E402

SITENAME = "Benchmark Papers"
SITEURL = "https://example.org/papers"
RELATIVE_URLS = False
PATH = "content"
THEME = os.path.join(HERE, "theme")
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
        "bench_ext": {},
    },
    "output_format": "html5",
}

# newest day first, ranked by upvotes within a day (lists keep this order)
ARTICLE_ORDER_BY = bench_ext.article_order

ARTICLE_URL = "papers/{slug}/"
ARTICLE_SAVE_AS = "papers/{slug}/index.html"
CATEGORY_URL = "days/{slug}/"
CATEGORY_SAVE_AS = "days/{slug}/index.html"
CATEGORIES_SAVE_AS = "days/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_SAVE_AS = "tags/index.html"
AUTHOR_URL = "authors/{slug}/"
AUTHOR_SAVE_AS = "authors/{slug}/index.html"
AUTHORS_SAVE_AS = "authors/index.html"
ARCHIVES_SAVE_AS = ""
PAGE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "categories", "authors"]

DEFAULT_PAGINATION = 30  # paperfeed default per_page
PAGINATED_TEMPLATES = {"tag": None, "category": None, "author": None}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# site RSS and per-tag RSS, 50 newest items, full abstracts
FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = 50
RSS_FEED_SUMMARY_ONLY = False
FEED_ALL_RSS = "feed.xml"
FEED_ALL_ATOM = None
FEED_RSS = None
FEED_ATOM = None
TAG_FEED_RSS = "tags/{slug}/feed.xml"
TAG_FEED_ATOM = None
CATEGORY_FEED_RSS = None
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_RSS = None
AUTHOR_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None

# content cache: the runner switches it on and off (-e LOAD_CONTENT_CACHE=...)
CACHE_PATH = os.path.join(HERE, ".pelican-cache")
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
DELETE_OUTPUT_DIRECTORY = False
