"""Odds and ends: cookies, streaming, raw bodies and diagnostics."""
import hashlib

from flask import Blueprint, Response, abort, jsonify, make_response, redirect, request, url_for

bp = Blueprint("misc", __name__)

CHUNK = b"0123456789abcdef"
MAX_BIG = 16 * 1024 * 1024


@bp.get("/prefs/set")
def set_prefs():
    theme = request.args.get("theme", "dark")
    currency = request.args.get("currency", "EUR")
    resp = make_response(f"Saved theme={theme} currency={currency}\n")
    resp.mimetype = "text/plain"
    resp.set_cookie("theme", theme)
    resp.set_cookie("currency", currency, path="/", samesite="Lax")
    resp.set_cookie("seen_banner", "1", httponly=True)
    return resp


@bp.get("/prefs")
def get_prefs():
    theme = request.cookies.get("theme", "light")
    currency = request.cookies.get("currency", "USD")
    return jsonify(theme=theme, currency=currency)


@bp.get("/stream")
def stream():
    n = request.args.get("n", 5, type=int)
    if n < 0 or n > 10000:
        abort(400, description="n must be between 0 and 10000.")

    def generate():
        for i in range(n):
            yield f"line {i}\n"

    return Response(generate(), mimetype="text/plain")


@bp.post("/echo")
def echo():
    body = request.get_data()
    return jsonify(length=len(body), sha256=hashlib.sha256(body).hexdigest())


@bp.get("/big")
def big():
    size = request.args.get("size", 1024, type=int)
    if size < 0 or size > MAX_BIG:
        abort(400, description=f"size must be between 0 and {MAX_BIG}.")
    repeats, rest = divmod(size, len(CHUNK))
    body = CHUNK * repeats + CHUNK[:rest]
    return Response(body, mimetype="application/octet-stream")


@bp.route("/headers", methods=["GET", "POST"])
def headers():
    env = request.environ
    return jsonify(
        headers={
            "User-Agent": request.headers.get("User-Agent"),
            "Accept": request.headers.get("Accept"),
            "Content-Type": request.headers.get("Content-Type"),
            "X-Request-Id": request.headers.get("X-Request-Id"),
        },
        environ={
            "REQUEST_METHOD": env.get("REQUEST_METHOD"),
            "SCRIPT_NAME": env.get("SCRIPT_NAME"),
            "PATH_INFO": env.get("PATH_INFO"),
            "QUERY_STRING": env.get("QUERY_STRING"),
            "SERVER_PROTOCOL": env.get("SERVER_PROTOCOL"),
            "wsgi.url_scheme": env.get("wsgi.url_scheme"),
        },
        args=request.args.to_dict(flat=False),
    )


@bp.get("/redirect")
def go_home():
    return redirect(url_for("catalog.product_list"))


@bp.get("/boom")
def boom():
    raise RuntimeError("boom: this route always fails")
