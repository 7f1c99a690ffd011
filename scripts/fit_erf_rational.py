#!/usr/bin/env python3
"""Fits the rational erf of src/kernels/cpu/vector_math.h (erf_ps): erf(x) = x P(x^2) / Q(x^2)
on [0, 4], P of degree 6, Q of degree 5 with Q(0) = 1, by linearised least squares
(Sanathanan-Koerner iterations) with Lawson-style reweighting toward the minimax error.
Prints the coefficients (as float32, highest degree last) and the error of a float32 Horner
evaluation against math.erf. Run with the project venv: .venv/bin/python scripts/fit_erf_rational.py
"""
from math import erf

import numpy as np

LIMIT = 4.0  # erf(4) = 1 - 1.5e-8 rounds to 1 in float32
DEGREE_P, DEGREE_Q = 6, 5


def fit():
    x = (1 - np.cos(np.linspace(0, np.pi, 4000))) / 2 * LIMIT  # clustered at both ends
    x = x[x > 1e-6]
    u = x * x
    target = np.array([erf(v) for v in x]) / x  # R(u) = erf(x) / x
    previous_q = np.ones_like(u)
    weights = np.ones_like(u)
    for _ in range(30):
        # minimise sum (x w (P(u) - target Q(u)) / Q_previous(u))^2; x: the error of erf is x
        # times the error of R
        powers_p = np.vander(u, DEGREE_P + 1, increasing=True)
        powers_q = np.vander(u, DEGREE_Q + 1, increasing=True)[:, 1:]
        a = np.hstack([powers_p, -target[:, None] * powers_q])
        scale = x * weights / previous_q
        coefficients, *_ = np.linalg.lstsq(a * scale[:, None], target * scale, rcond=None)
        p = coefficients[: DEGREE_P + 1]
        q = np.concatenate([[1.0], coefficients[DEGREE_P + 1 :]])
        previous_q = np.polyval(q[::-1], u)
        error = x * (np.polyval(p[::-1], u) / previous_q - target)
        weights = weights * (np.abs(error) / np.abs(error).max()) ** 0.3 + 1e-3
    return p, q, np.abs(error).max()


def float32_error(p, q):
    x = np.linspace(0, LIMIT, 400001).astype(np.float32)
    u = x * x
    pf = np.float32(p[-1])
    for c in p[-2::-1]:
        pf = pf * u + np.float32(c)
    qf = np.float32(q[-1])
    for c in q[-2::-1]:
        qf = qf * u + np.float32(c)
    y = np.minimum(np.float32(1), x * pf / qf)
    expected = np.array([erf(float(v)) for v in x])
    small = (x > 0) & (x < 0.5)
    return np.abs(y - expected).max(), (np.abs(y - expected)[small] / expected[small]).max()


if __name__ == "__main__":
    p, q, fit_error = fit()
    absolute, relative_small = float32_error(p, q)
    print("P (degree 0 first):", [float(np.float32(c)) for c in p])
    print("Q (degree 0 first):", [float(np.float32(c)) for c in q])
    print(f"fit error {fit_error:.3g}, float32 absolute error {absolute:.3g}, "
          f"relative error below 0.5 {relative_small:.3g}")
