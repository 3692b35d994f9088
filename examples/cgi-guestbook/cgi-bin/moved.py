#!/usr/bin/env python3
"""Status and Location (RFC 3875 6.3): /moved.py redirects, /moved.py/gone is 410."""
import os

if os.environ.get("PATH_INFO") == "/gone":
    print("Status: 410 Gone")
    print("Content-Type: text/plain")
    print()
    print("This page is gone.")
else:
    print("Location: http://example.test/new-home")
    print()
