#!/usr/bin/env python3
"""Greets by name (?name=...) and shows the request as CGI gives it to a script."""
import html
import os
from urllib.parse import parse_qs

query = parse_qs(os.environ.get("QUERY_STRING", ""))
name = query.get("name", ["world"])[0]

print("Content-Type: text/html; charset=utf-8")
print("X-Script: hello")
print()
print(f"<h1>Hello, {html.escape(name)}!</h1>")
print("<dl>")
for key in ("GATEWAY_INTERFACE", "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING",
            "CONTENT_LENGTH", "HTTP_USER_AGENT", "HTTP_COOKIE", "HTTP_ACCEPT"):
    print(f"<dt>{key}</dt><dd>{html.escape(os.environ.get(key) or '(none)')}</dd>")
print("</dl>")
