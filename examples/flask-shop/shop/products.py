"""An in-memory product catalogue (prices in cents)."""

PRODUCTS = [
    {"id": 1, "sku": "MUG-01", "name": "Coffee Mug", "price": 1250, "stock": 10},
    {"id": 2, "sku": "TEE-01", "name": "T-Shirt", "price": 1999, "stock": 5},
    {"id": 3, "sku": "STK-01", "name": "Sticker Pack", "price": 399, "stock": 100},
    {"id": 4, "sku": "CAP-01", "name": "Baseball Cap", "price": 1575, "stock": 0},
]

COUPONS = {"SAVE10": 10, "HALF": 50}


def get_product(product_id):
    for product in PRODUCTS:
        if product["id"] == product_id:
            return product
    return None


def get_by_sku(sku):
    for product in PRODUCTS:
        if product["sku"] == sku:
            return product
    return None


def format_price(cents):
    return f"${cents // 100}.{cents % 100:02d}"
