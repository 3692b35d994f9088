"""Time Django admin logins (PBKDF2-SHA256, 1,000,000 iterations) natively and in a component.

    .venv/bin/python bench/admin_login.py [--logins 5]

Builds examples/django-blog (cached per machine), seeds a superuser in two copies of it, serves
one under gunicorn (one sync worker) and one as a component (wasmtime serve, instance reuse),
and logs in ``--logins`` times on each: prints each POST /admin/login/'s time and the median.
The POST is one password check (``hashlib.pbkdf2_hmac``: fabricks-hashlib's Rust in the
component, OpenSSL natively) plus Django's session and CSRF work.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from e2e.django_admin import login, seed_admin  # noqa: E402
from e2e.harness import ComponentServer, gunicorn  # noqa: E402
from e2e.test_examples import prepare  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        native_dir, component_dir, result = prepare("django-blog", Path(tmp))
        for folder in (native_dir, component_dir):
            seed_admin(folder, result)
        with gunicorn(native_dir, result.spec.app, result=result) as native, ComponentServer(result) as component:
            for label, server in (("gunicorn", native), ("component", component)):
                times = []
                for _ in range(args.logins):
                    done = login(server.url)
                    assert (done.login_status, done.admin_status) == (302, 200), (label, done.login_status)
                    times.append(done.seconds)
                print(f"{label:>9}: POST /admin/login/ median {statistics.median(times) * 1000:.0f} ms "
                      f"({', '.join(f'{t * 1000:.0f}' for t in times)} ms)")


if __name__ == "__main__":
    main()
