"""Calls other services with the usual clients: urllib.request, http.client, requests, httpx.
GET /call?client=NAME&url=URL[&method=POST] answers what came back, or the
exception the client raised (its module and name, as app code would catch it)."""

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request

import httpx
import requests
from flask import Flask, jsonify, request

app = Flask(__name__)


def call(client: str, method: str, url: str, body: bytes | None) -> dict:
    headers = {"X-Caller": client, "Content-Type": "application/octet-stream"}
    if client == "urllib":
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                return {"status": response.status, "body": response.read().decode(),
                        "type": response.headers.get("Content-Type")}
        except urllib.error.HTTPError as error:
            return {"status": error.code, "body": error.read().decode(), "type": error.headers.get("Content-Type")}
    if client == "http.client":
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body, headers=headers)
        response = connection.getresponse()
        return {"status": response.status, "body": response.read().decode(), "type": response.getheader("Content-Type")}
    if client == "requests":
        response = requests.request(method, url, data=body, headers=headers, timeout=10)
        return {"status": response.status_code, "body": response.text, "type": response.headers.get("Content-Type"),
                "cookies": sorted(response.cookies.keys())}
    if client == "httpx":
        with httpx.Client(timeout=10) as session:
            response = session.request(method, url, content=body, headers=headers)
        return {"status": response.status_code, "body": response.text, "type": response.headers.get("Content-Type"),
                "cookies": sorted(response.cookies.keys())}
    raise ValueError(client)


@app.route("/call", methods=["GET", "POST"])
def route():
    try:
        return jsonify(call(request.args["client"], request.args.get("method", "GET"), request.args["url"],
                            request.get_data() or None))
    except Exception as error:  # what app code would catch: the client library's own type
        return jsonify({"raised": f"{type(error).__module__}.{type(error).__name__}", "message": str(error)}), 502
