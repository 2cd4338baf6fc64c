#!/usr/bin/env python3
"""Rebuilds data/calibration/default.txt and default.sources.tsv (see README.md).

default.txt holds one document per block, blocks separated by one blank line:
  * Jargon File 4.4.7 lexicon entries (public domain; Debian package jargon-text,
    /usr/share/doc/jargon-text/jargon.txt.gz): every 5th entry whose text is 400-1600 characters,
    de-indented, paragraph breaks removed (the wrapped lines themselves are kept verbatim, so
    line-based overlap checks such as lib/train/corpus.cpp's still find them);
  * question/answer problems in the GSM8K style, written by this script (project-written text).
default.sources.tsv lists every document: index, source package or "kvtuner", file, title.

Deterministic: the same jargon-text package and this script give the same bytes.
Usage: python3 data/calibration/make_default.py   (needs the jargon-text package)
"""
import gzip
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
JARGON = "/usr/share/doc/jargon-text/jargon.txt.gz"
ENTRY_STRIDE = 5             # take every 5th eligible entry
ENTRY_CHARS = (400, 1600)    # eligible entry length (characters, after de-indenting)
MAX_JARGON_CHARS = 120_000   # stop when the selected entries reach this size
QA_COUNT = 160


def jargon_entries(text):
    """(headword, lines) per lexicon entry, split as lib/train/corpus.cpp does."""
    entries, current, title = [], None, None
    head = re.compile(r"^   :([^ ].*?):( |$)")
    for line in text.split("\n"):
        m = head.match(line)
        if m:
            if current is not None:
                entries.append((title, current))
            title, current = m.group(1), [line]
        elif line and not line.startswith(" "):
            if current is not None:
                entries.append((title, current))
            current = None
        elif current is not None:
            current.append(line)
    if current is not None:
        entries.append((title, current))
    return entries


def document_text(lines):
    kept = [l.rstrip() for l in lines if l.strip()]
    indent = min(len(l) - len(l.lstrip(" ")) for l in kept)
    return "\n".join(l[indent:] for l in kept)


NAMES = ["Ada", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Alan", "Radia",
         "Edsger", "Hedy", "Donald", "Katherine", "John", "Sophie", "Niklaus", "Annie", "Tim", "Joan"]
ITEMS = [("apple", "apples"), ("book", "books"), ("pencil", "pencils"), ("cookie", "cookies"),
         ("marble", "marbles"), ("sticker", "stickers"), ("floppy disk", "floppy disks"),
         ("cable", "cables"), ("stamp", "stamps"), ("card", "cards")]


def qa_problem(rng):
    """One word problem with a worked answer; returns the document text."""
    kind = rng.randrange(8)
    a, b = rng.choice(NAMES), rng.choice(NAMES)
    while b == a:
        b = rng.choice(NAMES)
    item, items = rng.choice(ITEMS)
    if kind == 0:
        x, y = rng.randrange(12, 90), rng.randrange(2, 6)
        q = f"{a} has {x} {items}. {b} has {y} times as many {items} as {a}. How many {items} do they have together?"
        z = x * y
        ans = (f"{b} has {x} * {y} = <<{x}*{y}={z}>>{z} {items}.\n"
               f"Together they have {x} + {z} = <<{x}+{z}={x + z}>>{x + z} {items}.\n#### {x + z}")
    elif kind == 1:
        price, n, paid = rng.randrange(2, 15), rng.randrange(3, 12), 0
        total = price * n
        paid = (total // 10 + 1) * 10 + rng.choice([0, 10, 20])
        q = (f"A {item} costs ${price}. {a} buys {n} {items} and pays with ${paid}. "
             f"How much change does {a} get back?")
        ans = (f"The {items} cost {n} * {price} = <<{n}*{price}={total}>>{total} dollars.\n"
               f"The change is {paid} - {total} = <<{paid}-{total}={paid - total}>>{paid - total} dollars.\n"
               f"#### {paid - total}")
    elif kind == 2:
        pages, days = rng.randrange(120, 480), rng.randrange(3, 9)
        per_day = rng.randrange(10, 40)
        read = per_day * days
        while read >= pages:
            pages += 50
        q = (f"{a} is reading a manual with {pages} pages. {a} reads {per_day} pages every day for {days} days. "
             f"How many pages are left to read?")
        ans = (f"In {days} days {a} reads {per_day} * {days} = <<{per_day}*{days}={read}>>{read} pages.\n"
               f"There are {pages} - {read} = <<{pages}-{read}={pages - read}>>{pages - read} pages left.\n"
               f"#### {pages - read}")
    elif kind == 3:
        boxes, per_box, given = rng.randrange(3, 10), rng.randrange(6, 25), rng.randrange(2, 12)
        total = boxes * per_box
        q = (f"{a} packs {items} into {boxes} boxes with {per_box} {items} in each box, "
             f"then gives {given} {items} to {b}. How many {items} does {a} have left?")
        ans = (f"{a} packed {boxes} * {per_box} = <<{boxes}*{per_box}={total}>>{total} {items}.\n"
               f"After giving {given} away, {a} has {total} - {given} = <<{total}-{given}={total - given}>>"
               f"{total - given} {items}.\n#### {total - given}")
    elif kind == 4:
        speed, hours, minutes = rng.randrange(30, 90), rng.randrange(1, 5), rng.choice([15, 30, 45])
        dist = speed * hours + speed * minutes // 60
        q = (f"A train travels at {speed} miles per hour for {hours} hours and {minutes} minutes. "
             f"How many miles does it travel? Give the whole number of miles.")
        part = speed * minutes // 60
        ans = (f"In {hours} hours it travels {speed} * {hours} = <<{speed}*{hours}={speed * hours}>>{speed * hours} miles.\n"
               f"In {minutes} minutes it travels {speed} * {minutes} / 60 = <<{speed}*{minutes}/60={part}>>{part} miles"
               f" (whole miles).\nIn total it travels {speed * hours} + {part} = <<{speed * hours}+{part}={dist}>>{dist} miles.\n"
               f"#### {dist}")
    elif kind == 5:
        total, frac = rng.randrange(4, 30) * 4, rng.choice([2, 4])
        part = total // frac
        q = (f"There are {total} students in a class. One {'half' if frac == 2 else 'quarter'} of them bring a laptop, "
             f"and {a} lends a laptop to 3 more students. How many students have a laptop now?")
        ans = (f"{total} / {frac} = <<{total}/{frac}={part}>>{part} students bring a laptop.\n"
               f"With the 3 borrowed ones, {part} + 3 = <<{part}+3={part + 3}>>{part + 3} students have a laptop.\n"
               f"#### {part + 3}")
    elif kind == 6:
        weekly, weeks, spent = rng.randrange(5, 30), rng.randrange(4, 13), rng.randrange(10, 40)
        saved = weekly * weeks
        q = (f"{a} saves ${weekly} every week for {weeks} weeks, then spends ${spent} on a keyboard. "
             f"How much money does {a} have left?")
        ans = (f"{a} saves {weekly} * {weeks} = <<{weekly}*{weeks}={saved}>>{saved} dollars.\n"
               f"After the keyboard, {a} has {saved} - {spent} = <<{saved}-{spent}={saved - spent}>>{saved - spent} dollars.\n"
               f"#### {saved - spent}")
    else:
        w, h, tile = rng.randrange(4, 15), rng.randrange(3, 12), rng.randrange(2, 6)
        area = w * h
        q = (f"A rectangular room is {w} meters long and {h} meters wide. Each square meter needs {tile} tiles. "
             f"How many tiles are needed for the whole floor?")
        ans = (f"The floor has {w} * {h} = <<{w}*{h}={area}>>{area} square meters.\n"
               f"It needs {area} * {tile} = <<{area}*{tile}={area * tile}>>{area * tile} tiles.\n#### {area * tile}")
    return f"Question: {q}\nAnswer: {ans}"


def main():
    with gzip.open(JARGON, "rt", encoding="utf-8") as f:
        text = f.read()
    documents, sources = [], []
    eligible = 0
    size = 0
    for title, lines in jargon_entries(text):
        doc = document_text(lines)
        if not (ENTRY_CHARS[0] <= len(doc) <= ENTRY_CHARS[1]):
            continue
        eligible += 1
        if eligible % ENTRY_STRIDE != 0 or size >= MAX_JARGON_CHARS:
            continue
        documents.append(doc)
        sources.append(("jargon-text", "/usr/share/doc/jargon-text/jargon.txt.gz", title))
        size += len(doc)
    rng = random.Random(20250101)
    for i in range(QA_COUNT):
        documents.append(qa_problem(rng))
        sources.append(("kvtuner", "data/calibration/make_default.py", f"qa-{i:03d}"))
    with open(os.path.join(HERE, "default.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n\n".join(documents) + "\n")
    with open(os.path.join(HERE, "default.sources.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("index\tpackage\tfile\ttitle\n")
        for i, (package, path, title) in enumerate(sources):
            f.write(f"{i}\t{package}\t{path}\t{title}\n")


if __name__ == "__main__":
    main()
