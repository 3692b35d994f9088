#!/usr/bin/env python3
"""A guestbook: GET lists the entries, POST (a form) signs it. Entries live in data/entries.json."""
import html
import json
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs

DATA = Path(__file__).resolve().parent.parent / "data" / "entries.json"


def page(title, body):
    print("Content-Type: text/html; charset=utf-8")
    print("Cache-Control: no-store")
    print()
    print(f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>{body}")


entries = json.loads(DATA.read_text(encoding="utf-8"))
if os.environ["REQUEST_METHOD"] == "POST":
    length = int(os.environ.get("CONTENT_LENGTH") or 0)
    form = parse_qs(sys.stdin.buffer.read(length).decode("utf-8"))
    name = form.get("name", [""])[0].strip()
    message = form.get("message", [""])[0].strip()
    if not name or not message:
        page("Not signed", "<p>Both a name and a message, please.</p>")
        sys.exit(0)
    entries.append({"name": name[:40], "message": message[:280]})
    DATA.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    page("Thank you", f"<p>Signed as {html.escape(name)}; {len(entries)} entries now.</p>")
else:
    items = "".join(f"<li><b>{html.escape(e['name'])}</b>: {html.escape(e['message'])}</li>" for e in entries)
    page("Guestbook", f"<ol>{items}</ol>")
