class ShopError(Exception):
    """Base class for errors that the API reports as JSON."""

    status_code = 400
    code = "shop_error"


class OutOfStock(ShopError):
    status_code = 409
    code = "out_of_stock"


class UnknownProduct(ShopError):
    status_code = 422
    code = "unknown_product"
