"""A small logistic regression in plain Python: the models Hashiya learns from its own data.

Tens of features and a few thousand lines (one page's lines, an analyst's decisions): full-batch gradient
descent on standardised features with an L2 penalty converges in a fraction of a second and needs no
numerical library at run time. A model is plain data (feature names, means, scales, weights), stored as
JSON in the package (the shipped model) or in a project (one learnt from its analysts).
"""

from __future__ import annotations

import math
import operator
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Model:
    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float = 0.5
    about: dict = field(default_factory=dict, compare=False)  # what it learnt from, how well it did

    def __post_init__(self) -> None:
        # The standardisation folded into the weights once: a model scores every line of every page.
        coefficients = tuple(w / s for w, s in zip(self.weights, self.scales))
        object.__setattr__(self, "_coefficients", coefficients)
        object.__setattr__(self, "_intercept", self.bias - sum(c * m for c, m in zip(coefficients, self.means)))

    def probability(self, row: list[float]) -> float:
        return _sigmoid(self._intercept + sum(map(operator.mul, self._coefficients, row)))

    def to_json(self) -> dict:
        data = asdict(self)
        data["features"], data["means"] = list(self.features), list(self.means)
        data["scales"], data["weights"] = list(self.scales), list(self.weights)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Model":
        features = tuple(str(name) for name in data["features"])
        numbers = [tuple(float(value) for value in data[key]) for key in ("means", "scales", "weights")]
        if any(len(values) != len(features) for values in numbers):
            raise ValueError("a model's means, scales and weights must have one value per feature")
        return cls(features, *numbers, float(data["bias"]), float(data.get("threshold", 0.5)),
                   dict(data.get("about") or {}))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def train(features: tuple[str, ...], rows: list[list[float]], labels: list[int], l2: float = 1.0,
          iterations: int = 300, rate: float = 0.5, weights_of: list[float] | None = None) -> Model:
    """Fit on `rows` (one value per feature) and 0/1 `labels`. `weights_of`: a weight per row (1 if None)."""
    count, width = len(rows), len(features)
    if count == 0:
        raise ValueError("nothing to learn from")
    means = [sum(row[j] for row in rows) / count for j in range(width)]
    scales = []
    for j in range(width):
        variance = sum((row[j] - means[j]) ** 2 for row in rows) / count
        scales.append(math.sqrt(variance) if variance > 1e-12 else 1.0)
    standard = [[(row[j] - means[j]) / scales[j] for j in range(width)] for row in rows]
    sample = weights_of or [1.0] * count
    total = sum(sample)
    weights, bias = [0.0] * width, 0.0
    squares, bias_square = [1e-8] * width, 1e-8  # AdaGrad: features on very different scales of use
    for _ in range(iterations):
        gradient, bias_gradient = [0.0] * width, 0.0
        for x, y, weight in zip(standard, labels, sample):
            error = (_sigmoid(bias + sum(w * v for w, v in zip(weights, x))) - y) * weight
            bias_gradient += error
            for j, value in enumerate(x):
                if value:
                    gradient[j] += error * value
        for j in range(width):
            g = gradient[j] / total + l2 * weights[j] / total
            squares[j] += g * g
            weights[j] -= rate * g / math.sqrt(squares[j])
        g = bias_gradient / total
        bias_square += g * g
        bias -= rate * g / math.sqrt(bias_square)
    return Model(tuple(features), tuple(means), tuple(scales), tuple(weights), bias)


def precision_recall(predicted: list[bool], actual: list[bool]) -> tuple[float | None, float | None]:
    hits = sum(p and a for p, a in zip(predicted, actual))
    said, there = sum(predicted), sum(actual)
    return (hits / said if said else None), (hits / there if there else None)
