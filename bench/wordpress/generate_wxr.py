#!/usr/bin/env python3
"""Writes a WXR 1.2 export of N fictional North Wales posts (~5 KB of body each) to stdout; with PICTURES, each post
shows that many pictures of its own from the uploads folder of SITE (none by default).

usage: generate_wxr.py N [PICTURES SITE] > export.xml
"""
import random
import sys

TOWNS = ["Conwy", "Bangor", "Llandudno", "Caernarfon", "Porthmadog", "Pwllheli", "Llangefni", "Holyhead", "Bethesda", "Abergele"]
TOPICS = ["harbour wall", "ferry timetable", "school roof", "library hours", "bus route", "lifeboat crew", "sea defences", "market hall"]
SENTENCE = ("Residents in {town} were told on {day} that work on the {topic} would take {n} weeks, "
            "and the council said it would keep the disruption to a minimum while contractors are on site. ")


def paragraph(rng):
    return "".join(SENTENCE.format(town=rng.choice(TOWNS), day=rng.choice(["Monday", "Tuesday", "Friday"]),
                                   topic=rng.choice(TOPICS), n=rng.randint(2, 12)) for _ in range(3))


def main():
    count = int(sys.argv[1])
    pictures, site = (int(sys.argv[2]), sys.argv[3]) if len(sys.argv) > 3 else (0, None)
    rng = random.Random(42)
    out = sys.stdout
    out.write('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
              'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
              'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n<title>Bench Gazette</title>\n'
              '<link>https://bench-gazette.example</link>\n<wp:wxr_version>1.2</wp:wxr_version>\n'
              '<wp:base_site_url>https://bench-gazette.example</wp:base_site_url>\n')
    for login, name in [("ceri", "Ceri Hughes"), ("nia", "Nia Roberts"), ("gethin", "Gethin Parry")]:
        out.write(f'<wp:author><wp:author_login><![CDATA[bench-{login}]]></wp:author_login>'
                  f'<wp:author_display_name><![CDATA[{name}]]></wp:author_display_name></wp:author>\n')
    for i in range(1, count + 1):
        town = rng.choice(TOWNS)
        topic = rng.choice(TOPICS)
        body = "\n\n".join(paragraph(rng) for _ in range(10))
        body += "".join(f'\n\n<img src="{site}/wp-content/uploads/{i}-{p}.jpg" alt="The {topic} in {town}">' for p in range(pictures))
        year, month, day = 2010 + i % 15, 1 + i % 12, 1 + i % 28
        slug = f"{town.lower()}-{topic.replace(' ', '-')}-{i}"
        out.write(f"""<item>
<title>{town}: news on the {topic} ({i})</title>
<link>https://bench-gazette.example/{year}/{month:02d}/{day:02d}/{slug}/</link>
<dc:creator><![CDATA[bench-{rng.choice(['ceri', 'nia', 'gethin'])}]]></dc:creator>
<guid isPermaLink="false">https://bench-gazette.example/?p={i}</guid>
<content:encoded><![CDATA[{body}]]></content:encoded>
<excerpt:encoded><![CDATA[What the {topic} work means for {town}.]]></excerpt:encoded>
<wp:post_id>{i}</wp:post_id>
<wp:post_date_gmt><![CDATA[{year}-{month:02d}-{day:02d} 09:00:00]]></wp:post_date_gmt>
<wp:post_name><![CDATA[{slug}]]></wp:post_name>
<wp:status><![CDATA[publish]]></wp:status>
<wp:post_type><![CDATA[post]]></wp:post_type>
<category domain="category" nicename="bench-news"><![CDATA[Bench news]]></category>
<category domain="post_tag" nicename="{town.lower()}"><![CDATA[{town}]]></category>
</item>
""")
    out.write("</channel>\n</rss>\n")


if __name__ == "__main__":
    main()
