"""feeds.opml: every feed of the site, grouped, for importing into a feed reader."""

from __future__ import annotations

from email.utils import format_datetime
from xml.etree import ElementTree as ET

from generator.feeds.catalog import Feed
from generator.feeds.entries import xml_text
from generator.urls import Urls

GROUP_TITLES = {"Site": "Site", "search": "Saved searches", "tags": "Tags", "orgs": "Organizations",
                "authors": "Authors"}


def build_opml(feeds: list[Feed], urls: Urls, site_title: str) -> bytes:
    """OPML 2.0: one outline per feed (its RSS version if it has one; readers find the others from the page).

    A reader importing the file subscribes to each outline, so listing the Atom and
    JSON twins too would subscribe everyone to every feed three times.
    """
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = xml_text(f"{site_title}: feeds")
    if feeds:
        newest = max(feed.updated for feed in feeds)
        ET.SubElement(head, "dateModified").text = format_datetime(newest)
    body = ET.SubElement(root, "body")
    groups: dict[str, ET.Element] = {}
    for feed in feeds:
        group = groups.get(feed.group)
        if group is None:
            title = GROUP_TITLES.get(feed.group, feed.group)
            group = groups[feed.group] = ET.SubElement(body, "outline", text=title, title=title)
        kind = feed.kinds[0]
        attributes = {"version": "RSS2"} if kind == "rss" else {}
        # type="rss" stands for any feed format in OPML 2.0 (its spec: "a feed").
        ET.SubElement(group, "outline", {"type": "rss", **attributes}, text=feed.title,
                      title=feed.title, description=feed.description,
                      xmlUrl=urls.absolute(feed.path(kind)), htmlUrl=feed.home)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"
