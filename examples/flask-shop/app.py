"""Entry point for the shop: ``gunicorn app:app``."""
import os

from flask import Flask, jsonify, render_template

from shop import account, api, catalog, misc
from shop.errors import ShopError


def create_app():
    app = Flask(__name__)
    app.secret_key = os.environ.get("SECRET_KEY", "dev-secret")

    app.register_blueprint(catalog.bp)
    app.register_blueprint(account.bp, url_prefix="/account")
    app.register_blueprint(api.bp, url_prefix="/api")
    app.register_blueprint(misc.bp)

    @app.errorhandler(404)
    def page_not_found(error):
        return render_template("404.html"), 404

    @app.errorhandler(400)
    def bad_request(error):
        return jsonify(error="bad_request", message=error.description), 400

    @app.errorhandler(415)
    def unsupported_media_type(error):
        return jsonify(error="unsupported_media_type", message=error.description), 415

    @app.errorhandler(ShopError)
    def shop_error(error):
        return jsonify(error=error.code, message=str(error)), error.status_code

    return app


app = create_app()


if __name__ == "__main__":
    app.run(port=8080, debug=True)
