"""What a letter's page on the campaign site shows when it is shared or followed: a share image
(1200×630, page 1 of the letter beside its title, sender and date, in the letter's language),
Open Graph and Twitter card tags, and the link to the site's feed; and sitemap.xml."""

from __future__ import annotations

import io
from html import escape
from pathlib import Path

import font_source_sans_pro
import font_source_serif_pro
from babel.core import get_global

SHARE_SIZE = (1200, 630)  # what Open Graph and Twitter's large cards show
_PAPER, _INK, _ACCENT, _MUTED = "#f4f6f9", "#1d1d1f", "#1f4e79", "#5b5f66"


def _font(package, name: str, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(Path(package.font_directory) / name), size)


def _wrapped(draw, text: str, font, width: int, most: int) -> list[str]:
    """`text` in lines of at most `width` pixels, at most `most` lines (the last one cut
    with an ellipsis when the text is longer)."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    if len(lines) > most:
        lines = lines[:most]
        while lines[-1] and draw.textlength(lines[-1] + "…", font=font) > width:
            lines[-1] = lines[-1][:-1]
        lines[-1] = lines[-1].rstrip() + "…"
    return lines


def share_image(pdf: Path, title: str, sender: str, date: str) -> bytes:
    """The PNG card: page 1 of `pdf` at the left, the texts at the right."""
    import pypdfium2
    from PIL import Image, ImageDraw

    card = Image.new("RGB", SHARE_SIZE, _PAPER)
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        height = SHARE_SIZE[1] - 70
        image = page.render(scale=height / page.get_height()).to_pil().convert("RGB")
    finally:
        document.close()
    draw = ImageDraw.Draw(card)
    # A thin frame and a soft shadow lift the page off the background.
    draw.rectangle((66, 41, 66 + image.width, 41 + image.height), fill="#d6dbe2")
    card.paste(image, (60, 35))
    left = 60 + image.width + 60
    width = SHARE_SIZE[0] - left - 60
    y = 70
    sender_font = _font(font_source_sans_pro, "SourceSansPro-Semibold.ttf", 34)
    for line in _wrapped(draw, sender, sender_font, width, 2):
        draw.text((left, y), line, font=sender_font, fill=_ACCENT)
        y += 44
    draw.line((left, y + 14, left + 120, y + 14), fill=_ACCENT, width=4)
    y += 44
    title_font = _font(font_source_serif_pro, "SourceSerifPro-Semibold.ttf", 48)
    for line in _wrapped(draw, title, title_font, width, 6):
        draw.text((left, y), line, font=title_font, fill=_INK)
        y += 60
    date_font = _font(font_source_sans_pro, "SourceSansPro-Regular.ttf", 30)
    draw.text((left, min(y + 20, SHARE_SIZE[1] - 80)), date, font=date_font, fill=_MUTED)
    data = io.BytesIO()
    card.save(data, format="PNG", optimize=True)
    return data.getvalue()


def og_locale(locale: str) -> str:
    """Open Graph's language_TERRITORY ("es_ES", "en_US") for a locale code."""
    if "_" in locale:
        return locale
    likely = get_global("likely_subtags").get(locale, f"{locale}_US")
    parts = likely.split("_")
    return f"{parts[0]}_{parts[-1]}"


def head_tags(title: str, description: str | None, locale: str, image: str | None = None,
              image_alt: str | None = None, url: str | None = None, feed: str | None = None,
              feed_title: str | None = None, site_name: str | None = None) -> str:
    """The tags a page's <head> gains on the site, escaped."""
    tags = []
    if feed:
        tags.append(f'<link rel="alternate" type="application/atom+xml" href="{escape(feed)}"'
                    + (f' title="{escape(feed_title)}"' if feed_title else "") + ">")
    meta = [("og:type", "article" if image else "website"), ("og:title", title),
            ("og:locale", og_locale(locale)), ("og:site_name", site_name),
            ("og:description", description), ("og:url", url), ("og:image", image),
            ("og:image:width", "1200" if image else None),
            ("og:image:height", "630" if image else None), ("og:image:alt", image_alt)]
    tags += [f'<meta property="{name}" content="{escape(value)}">'
             for name, value in meta if value]
    twitter = [("twitter:card", "summary_large_image" if image else "summary"),
               ("twitter:title", title), ("twitter:description", description),
               ("twitter:image", image), ("twitter:image:alt", image_alt)]
    tags += [f'<meta name="{name}" content="{escape(value)}">'
             for name, value in twitter if value]
    return "\n".join(tags) + "\n"


def with_head(html: str, tags: str) -> str:
    """`html` with `tags` at the end of its <head>."""
    head = html.find("</head>")
    return html if head < 0 else html[:head] + tags + html[head:]


def sitemap(urls: list[tuple[str, str | None]]) -> bytes:
    """sitemap.xml (sitemaps.org 0.9) of (absolute address, last change as YYYY-MM-DD)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url, changed in urls:
        lines.append(f"  <url><loc>{escape(url)}</loc>"
                     + (f"<lastmod>{changed}</lastmod>" if changed else "") + "</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")
