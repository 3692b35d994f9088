#!/usr/bin/env python3
"""A JSON API routed by PATH_INFO: /entries, /entries/<n>, /stats."""
import json
import os
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "entries.json"


def answer(value):
    body = json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")
    print("Content-Type: application/json")
    print(f"Content-Length: {len(body)}")
    print(flush=True)
    sys.stdout.buffer.write(body)


entries = json.loads(DATA.read_text(encoding="utf-8"))
parts = [p for p in os.environ.get("PATH_INFO", "").split("/") if p]
if parts == ["entries"]:
    answer(entries)
elif len(parts) == 2 and parts[0] == "entries" and parts[1].isdigit() and 0 < int(parts[1]) <= len(entries):
    answer(entries[int(parts[1]) - 1])
elif parts == ["stats"]:
    answer({"entries": len(entries), "names": sorted({e["name"] for e in entries}),
            "longest": max((len(e["message"]) for e in entries), default=0)})
else:
    answer({"error": "no such resource", "path": os.environ.get("PATH_INFO", "")})
