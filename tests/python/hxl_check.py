#!/usr/bin/env python3
"""Reads Birlik's exports with HXL's reference library (libhxl) and checks their hashtags.

Usage: hxl_check.py FILE...

Each FILE is parsed with `hxl.data(path, hxl.InputOptions(allow_local=True))` (libhxl finds the
hashtag row below the readable header row by itself). Every column's hashtag must be one of the
HXL 1.1 dictionary's core hashtags (CORE_HASHTAGS below) or an extension hashtag (`#x_...`);
attributes are free. Prints one JSON object: per file, its display tags, its row count, and the
exact decimal sum of every column whose values are all numbers (empty cells skipped), keyed by
the column's display tag (`#x_kg+delivered`). Exits 1 with the reasons when a check fails, and
2 when libhxl is missing (the caller reports the test as skipped).
"""

import json
import sys
from decimal import Decimal, InvalidOperation

try:
    import hxl
except ImportError:  # pragma: no cover - reported as SKIPPED by the Rust test
    print("libhxl is not installed (pip install libhxl six)", file=sys.stderr)
    sys.exit(2)

# The core hashtags of the HXL 1.1 hashtag dictionary
# (https://hxlstandard.org/standard/1-1final/dictionary/), by its sections: places; surveys and
# assessments; responses and other operations; cash and finance; people and households; crises,
# incidents and events; metadata. Transcribed from the dictionary's index; libhxl 5.2.2 ships
# only a validation schema (hxl-default-schema.json), not the dictionary, so the hashtags that
# schema names are added below as a cross-check (all of them are core hashtags too).
CORE_HASHTAGS = {
    # Places
    "#adm1", "#adm2", "#adm3", "#adm4", "#adm5", "#country", "#geo", "#loc", "#region",
    # Surveys and assessments
    "#access", "#group", "#indicator", "#respondee", "#severity",
    # Responses and other operations
    "#activity", "#capacity", "#channel", "#contact", "#frequency", "#modality", "#need",
    "#operations", "#org", "#output", "#sector", "#service", "#subsector",
    # Cash and finance
    "#currency", "#value",
    # People and households
    "#affected", "#beneficiary", "#inneed", "#population", "#reached", "#targeted",
    # Crises, incidents and events
    "#cause", "#crisis", "#event", "#impact",
    # Items
    "#item",
    # Metadata
    "#date", "#description", "#meta", "#status",
}


def schema_hashtags():
    """The hashtags named by libhxl's bundled default schema (its #valid_tag values)."""
    import os
    import re

    path = os.path.join(os.path.dirname(hxl.__file__), "hxl-default-schema.json")
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return set()
    found = set()
    for entry in json.loads(text):
        for tag in re.findall(r"#[a-z][a-z0-9_]*", entry.get("#valid_tag", "")):
            found.add(tag)
    return found


def number(text):
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def check(path, allowed, problems):
    source = hxl.data(path, hxl.InputOptions(allow_local=True))
    columns = source.columns
    if not columns:
        problems.append(f"{path}: no hashtag row found")
        return {}
    headers = [c.header for c in columns]
    if any(not h for h in headers):
        problems.append(f"{path}: a column lacks its readable header: {headers}")
    for c in columns:
        tag = c.tag
        if tag is None:
            problems.append(f"{path}: a column without a hashtag ({c.header})")
        elif not (tag in allowed or tag.startswith("#x_")):
            problems.append(f"{path}: {c.display_tag} is neither an HXL 1.1 core hashtag nor #x_")
    tags = [c.display_tag for c in columns]
    if len(set(tags)) != len(tags):
        problems.append(f"{path}: the same hashtag and attributes twice: {tags}")
    sums = {t: Decimal(0) for t in tags}
    numeric = {t: True for t in tags}
    seen = {t: False for t in tags}
    rows = 0
    for row in source:
        rows += 1
        for tag, value in zip(tags, row.values):
            if value is None or value == "":
                continue
            seen[tag] = True
            n = number(value)
            if n is None:
                numeric[tag] = False
            elif numeric[tag]:
                sums[tag] += n
    return {
        "tags": tags,
        "headers": headers,
        "rows": rows,
        "sums": {t: str(s) for t, s in sums.items() if numeric[t] and seen[t]},
    }


def main(paths):
    allowed = CORE_HASHTAGS | schema_hashtags()
    problems = []
    out = {}
    for path in paths:
        out[path] = check(path, allowed, problems)
    print(json.dumps(out, ensure_ascii=False))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
