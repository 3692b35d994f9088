"""What every Python pack's component runs at build time, whatever the interface (WSGI, ASGI).

- :mod:`.loader`: ``"module:attribute"`` (gunicorn/uvicorn syntax) -> the app object
- :mod:`.preinit`: build-time initialization: import the app with servers made inert,
  record what gets baked into the snapshot, preload the standard library, report
- :mod:`.hashlib_compat`: ``hashlib.pbkdf2_hmac``/``hashlib.scrypt`` where CPython has no OpenSSL
- :mod:`.threads_compat`: a thread start that says why a component can't start one
"""
