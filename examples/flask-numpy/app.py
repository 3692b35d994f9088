"""A small numerical API on NumPy: matrix products, linear systems, summary statistics, a
spectrum, seeded random draws. Floats are rounded to 9 decimals in answers, as such an API
would: the last bits of a sum depend on its order (BLAS, SIMD), not on the maths."""

import numpy as np
from flask import Flask, jsonify, request

app = Flask(__name__)
DECIMALS = 9


def matrix(value, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {list(array.shape)}")
    return array


def rounded(array) -> list:
    return np.round(np.asarray(array, dtype=np.float64), DECIMALS).tolist()


@app.errorhandler(ValueError)
def bad_input(error):
    return jsonify(error=str(error)), 400


@app.errorhandler(np.linalg.LinAlgError)
def singular(error):
    return jsonify(error=f"linear algebra: {error}"), 422


@app.get("/")
def index():
    return jsonify(numpy=np.__version__, routes=["/matmul", "/solve", "/stats", "/spectrum", "/draws"])


@app.post("/matmul")
def matmul():
    body = request.get_json()
    a, b = matrix(body["a"], "a"), matrix(body["b"], "b")
    product = a @ b  # ValueError on mismatched shapes, with NumPy's own message
    return jsonify(shape=list(product.shape), product=rounded(product), trace=round(float(np.trace(product)), DECIMALS)
                   if product.shape[0] == product.shape[1] else None)


@app.post("/solve")
def solve():
    body = request.get_json()
    a = matrix(body["a"], "a")
    b = np.asarray(body["b"], dtype=np.float64)
    x = np.linalg.solve(a, b)
    return jsonify(x=rounded(x), det=round(float(np.linalg.det(a)), 6), cond=round(float(np.linalg.cond(a)), 6))


@app.post("/stats")
def stats():
    values = np.asarray(request.get_json()["values"], dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("values must be a non-empty list of numbers")
    counts, edges = np.histogram(values, bins=int(request.args.get("bins", 5)))
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return jsonify(
        n=int(values.size), mean=round(float(values.mean()), DECIMALS), std=round(float(values.std(ddof=1)), DECIMALS)
        if values.size > 1 else None, min=float(values.min()), max=float(values.max()),
        quartiles=rounded([q1, median, q3]), histogram={"counts": counts.tolist(), "edges": rounded(edges)},
        zscores=rounded((values - values.mean()) / values.std()) if values.std() > 0 else None)


@app.get("/spectrum")
def spectrum():
    """Magnitudes of the real FFT of a sum of two sines (pocketfft, NumPy's C++ FFT)."""
    n = int(request.args.get("n", 64))
    if n < 1 or n > 1 << 16:
        raise ValueError("n must be between 1 and 65536")
    t = np.arange(n) / n
    signal = np.sin(2 * np.pi * 5 * t) + 0.5 * np.sin(2 * np.pi * 12 * t)
    magnitudes = np.abs(np.fft.rfft(signal)) / n
    peaks = np.argsort(magnitudes)[::-1][:2]
    return jsonify(n=n, peaks=sorted(int(p) for p in peaks), magnitudes=np.round(magnitudes, 6).tolist()[:16])


@app.get("/draws")
def draws():
    rng = np.random.default_rng(int(request.args.get("seed", 0)))
    n = int(request.args.get("n", 10))
    dice = rng.integers(1, 7, size=n)
    return jsonify(dice=dice.tolist(), counts=np.bincount(dice, minlength=7)[1:].tolist(),
                   shuffled=rng.permutation(n).tolist())
