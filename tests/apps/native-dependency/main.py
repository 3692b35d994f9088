import jsonschema


def application(environ, start_response):
    start_response("200 OK", [])
    return [jsonschema.__name__.encode()]
