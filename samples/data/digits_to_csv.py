#!/usr/bin/python3
"""Writes samples/data/digits_shuffled.csv from samples/data/digits.csv.gz (scikit-learn's copy of
UCI's 8x8 digits): /usr/bin/python3 samples/data/digits_to_csv.py > samples/data/digits_shuffled.csv
(samples/digits_data.ag loads it with load_csv, so the images are data: constants, as PyTorch's
requires_grad=False, as every data set and loaded file is).
The rows are shuffled once (Python's random.Random(0)), so that the lesson's first 1,500 images
and its last 297 mix the writers (in the file's own order the last rows come from other people).
Each row: the 64 grey levels 0..16, then the digit 0..9."""
import gzip
import os
import random

here = os.path.dirname(os.path.abspath(__file__))
rows = [line.strip().split(",") for line in gzip.open(os.path.join(here, "digits.csv.gz"), "rt") if line.strip()]
random.Random(0).shuffle(rows)
for r in rows:
    print(",".join(str(int(float(v))) for v in r))
