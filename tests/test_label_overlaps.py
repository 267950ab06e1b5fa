"""The label–point overlap search tifa gives adjustText (charts._label_point_overlaps) finds the
same pairs, in the same order, as adjustText's own quadratic search, so labels land where
they did."""

import numpy as np
import pytest

from tifa.draw import charts

adjust = pytest.importorskip("adjustText")
from adjustText.arrops import overlap_intervals  # noqa: E402


def _reference(coords, extra):
    """adjustText 1.x's get_shifts_extra as published (the broadcast comparison of pairs)."""
    n = coords.shape[0]
    xo = overlap_intervals(coords[:, 0], coords[:, 1], extra[:, 0], extra[:, 1])
    yo = overlap_intervals(coords[:, 2], coords[:, 3], extra[:, 2], extra[:, 3])
    overlaps = yo[(yo[:, None] == xo).all(-1).any(-1)]
    if len(overlaps) == 0:
        return np.zeros(n), np.zeros(n)
    dx = coords[overlaps[:, 0], :2] - extra[overlaps[:, 1], -3::-1]
    dy = coords[overlaps[:, 0], 2:] - extra[overlaps[:, 1], -1:-3:-1]
    xs = np.where(np.abs(dx[:, 0]) < np.abs(dx[:, 1]), dx[:, 0], dx[:, 1])
    ys = np.where(np.abs(dy[:, 0]) < np.abs(dy[:, 1]), dy[:, 0], dy[:, 1])
    return np.bincount(overlaps[:, 0], xs, minlength=n), np.bincount(overlaps[:, 0], ys, minlength=n)


def _boxes(rng, n, size):
    x0, y0 = rng.uniform(0, 100, n), rng.uniform(0, 100, n)
    w, h = rng.uniform(0.1, size, n), rng.uniform(0.1, size / 3, n)
    return np.column_stack([x0, x0 + w, y0, y0 + h])


@pytest.mark.parametrize("seed, labels, points, size", [(0, 20, 714, 12.0), (1, 40, 40, 6.0),
                                                         (2, 5, 3000, 30.0), (3, 3, 10, 0.5)])
def test_same_shifts_as_adjusttext(seed, labels, points, size):
    rng = np.random.default_rng(seed)
    coords, extra = _boxes(rng, labels, size), _boxes(rng, points, 0.6)
    got, want = charts._label_point_overlaps(coords, extra), _reference(coords, extra)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def test_adjust_labels_uses_it():
    import matplotlib

    matplotlib.use("agg")
    fig = charts.new_figure(6, 4)
    ax = fig.add_subplot()
    ax.scatter([1, 2, 3], [1, 2, 3])
    texts = [ax.text(x, x, f"词{x}") for x in (1, 2, 3)]
    charts.adjust_labels(texts, x=np.array([1, 2, 3]), y=np.array([1, 2, 3]), ax=ax)
    assert adjust.get_shifts_extra is charts._label_point_overlaps
