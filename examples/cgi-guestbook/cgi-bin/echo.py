#!/usr/bin/env python3
"""Echoes the request body back as bytes, with its length and SHA-256."""
import hashlib
import os
import sys

body = sys.stdin.buffer.read(int(os.environ.get("CONTENT_LENGTH") or 0))
sys.stdout.write("Content-Type: application/octet-stream\n")
sys.stdout.write(f"X-Length: {len(body)}\nX-Sha256: {hashlib.sha256(body).hexdigest()}\n\n")
sys.stdout.flush()
sys.stdout.buffer.write(body)
