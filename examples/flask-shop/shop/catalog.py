from flask import Blueprint, abort, render_template, request

from .products import PRODUCTS, get_product

bp = Blueprint("catalog", __name__)


@bp.route("/")
def index():
    featured = [p for p in PRODUCTS if p["stock"] > 0][:2]
    return render_template("index.html", featured=featured)


@bp.route("/products")
def product_list():
    query = request.args.get("q", "").strip()
    products = PRODUCTS
    if query:
        products = [p for p in PRODUCTS if query.lower() in p["name"].lower()]
    return render_template("products.html", products=products, query=query)


@bp.route("/products/<int:product_id>")
def product_detail(product_id):
    product = get_product(product_id)
    if product is None:
        abort(404)
    return render_template("product.html", product=product)
