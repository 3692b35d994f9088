from flask import Blueprint, redirect, render_template, request, session, url_for

bp = Blueprint("account", __name__)


@bp.route("/")
def profile():
    if "user" not in session:
        return redirect(url_for("account.login"))
    return render_template("account.html", user=session["user"])


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        if not username:
            error = "Username is required."
        elif password != "hunter2":
            error = "Invalid password."
        else:
            session.clear()
            session["user"] = username
            return redirect(url_for("account.profile"))
    status = 400 if error else 200
    return render_template("login.html", error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("catalog.index"))
