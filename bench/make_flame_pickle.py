#!/usr/bin/python3
"""Write a FLAME-sized model pickle for load benchmarks.

Usage:  /usr/bin/python3 bench/make_flame_pickle.py OUT.pkl

Same layout as FLAME 2020's generic_model.pkl (a Python-2.7 protocol-2
pickle, shapedirs a chumpy Ch, J_regressor a scipy.sparse csc_matrix) and
FLAME's sizes: 5023 vertices, 9976 faces, 300 + 100 blendshapes, 36 pose
correctives, 5 joints; about 53 MB. The values are random (fixed seed): only
the sizes and the encoding matter for timing. The pickle encoding comes from
tests/fixtures/make_flame_fixture.py, so both files stay in step.
"""

import os
import sys

import numpy as np
import scipy.sparse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures"))
import make_flame_fixture as fx  # noqa: E402

V, F, J, COMPONENTS, POSE = 5023, 9976, 5, 400, 36


def build(rng):
    v = rng.normal(scale=0.1, size=(V, 3))
    rows = np.repeat(np.arange(J), 40)
    cols = rng.integers(0, V, size=rows.size)
    jreg = scipy.sparse.csc_matrix((rng.uniform(0.1, 1.0, rows.size), (rows, cols)), shape=(J, V))
    jreg.sum_duplicates()
    jreg.sort_indices()
    weights = rng.uniform(size=(V, J))
    weights /= weights.sum(axis=1, keepdims=True)
    return {
        "v_template": v,
        "f": rng.integers(0, V, size=(F, 3)).astype(np.uint32),
        "shapedirs": fx.Ch(rng.normal(scale=1e-3, size=(V, 3, COMPONENTS))),
        "posedirs": rng.normal(scale=1e-4, size=(V, 3, POSE)),
        "J_regressor": jreg,
        "J": np.asarray(jreg @ v),
        "weights": weights,
        "kintree_table": np.array([[4294967295, 0, 1, 1, 1], [0, 1, 2, 3, 4]], dtype=np.int64),
        "bs_style": "lbs",
        "bs_type": "lrotmin",
    }


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: make_flame_pickle.py OUT.pkl\n")
        return 2
    out = argv[1]
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    data = fx.py2_pickle_bytes(build(np.random.default_rng(20261205)))
    fx.write_file(os.path.dirname(os.path.abspath(out)), os.path.basename(out), data)
    print("make_flame_pickle: %.1f MB -> %s" % (len(data) / 1e6, out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
