from flask import Blueprint, abort, jsonify, request

from .errors import OutOfStock, UnknownProduct
from .products import COUPONS, PRODUCTS, format_price, get_by_sku

bp = Blueprint("api", __name__)


@bp.get("/products")
def products():
    return jsonify(
        [{"id": p["id"], "sku": p["sku"], "name": p["name"], "price": p["price"]} for p in PRODUCTS]
    )


@bp.post("/cart")
def cart():
    data = request.get_json()
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        abort(400, description="Expected an object with an 'items' list.")

    lines = []
    subtotal = 0
    for item in data["items"]:
        if not isinstance(item, dict):
            abort(400, description="Each item must be an object.")
        qty = item.get("qty", 1)
        if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
            abort(400, description="'qty' must be a positive integer.")
        product = get_by_sku(item.get("sku"))
        if product is None:
            raise UnknownProduct(f"No product with SKU {item.get('sku')!r}.")
        if qty > product["stock"]:
            raise OutOfStock(
                f"Only {product['stock']} of {product['sku']} left, {qty} requested."
            )
        total = product["price"] * qty
        subtotal += total
        lines.append({"sku": product["sku"], "name": product["name"], "qty": qty,
                      "unit_price": product["price"], "total": total})

    coupon = data.get("coupon")
    percent = COUPONS.get(coupon, 0) if coupon else 0
    discount = subtotal * percent // 100
    total = subtotal - discount
    return jsonify(
        lines=lines,
        count=sum(line["qty"] for line in lines),
        subtotal=subtotal,
        coupon=coupon if percent else None,
        discount=discount,
        total=total,
        total_display=format_price(total),
    )
