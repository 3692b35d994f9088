"""A Django admin login, the way a browser does it: for examples/django-blog, natively or as a component.

Used by the hashlib test (Django's default password hasher is PBKDF2-SHA256 with 1,000,000
iterations, through ``hashlib.pbkdf2_hmac``) and by bench/admin_login.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from fabricks.pipeline import BuildResult

from .harness import TIMEOUT, same_dependencies

USERNAME, PASSWORD = "admin", "correct horse battery staple"
# A fixed salt: the stored hash is the same in both copies of the app, and known in advance.
SALT = "fabricksTestSalt0123"

SEED = f"""
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
User.objects.filter(username={USERNAME!r}).delete()
user = User(username={USERNAME!r}, email="admin@example.org", is_staff=True, is_superuser=True)
user.password = make_password({PASSWORD!r}, salt={SALT!r})
user.save()
print(user.password)
"""


def seed_admin(app_dir: Path, result: BuildResult) -> str:
    """Create the superuser in ``app_dir``'s SQLite database (migrated already), with Django's
    default hasher natively; returns the stored hash (``pbkdf2_sha256$1000000$<salt>$...``)."""
    proc = subprocess.run([sys.executable, "manage.py", "shell", "-c", SEED], cwd=app_dir, check=True,
                          capture_output=True, text=True, env={**os.environ, **same_dependencies(result)})
    return proc.stdout.strip().splitlines()[-1]


@dataclass
class Login:
    """What one login did: the POST's answer and time, then the admin index's answer."""

    login_status: int
    location: str | None
    seconds: float
    admin_status: int
    admin_page: str


def login(base: str, password: str = PASSWORD) -> Login:
    """GET /admin/login/ for the CSRF cookie and token, POST the credentials (timed), GET /admin/."""
    with requests.Session() as session:
        page = session.get(f"{base}/admin/login/?next=/admin/", timeout=TIMEOUT)
        page.raise_for_status()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        started = time.perf_counter()
        answer = session.post(f"{base}/admin/login/?next=/admin/", allow_redirects=False, timeout=TIMEOUT,
                              data={"csrfmiddlewaretoken": token, "username": USERNAME, "password": password,
                                    "next": "/admin/"})
        seconds = time.perf_counter() - started
        admin = session.get(f"{base}/admin/", allow_redirects=False, timeout=TIMEOUT)
        return Login(answer.status_code, answer.headers.get("Location"), seconds, admin.status_code, admin.text)
