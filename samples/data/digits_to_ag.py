#!/usr/bin/python3
"""Writes samples/digits_data.ag from samples/data/digits.csv.gz (scikit-learn's copy of UCI's
8x8 digits): /usr/bin/python3 samples/data/digits_to_ag.py > samples/digits_data.ag
(a file of samples/ so that `:load digits_data` finds it wherever the lessons are installed)
The rows are shuffled once (Python's random.Random(0)), so that the lesson's first 1,500 images
and its last 297 mix the writers (in the file's own order the last rows come from other people)."""
import gzip
import os
import random

here = os.path.dirname(os.path.abspath(__file__))
rows = [line.strip().split(",") for line in gzip.open(os.path.join(here, "digits.csv.gz"), "rt") if line.strip()]
random.Random(0).shuffle(rows)
print("# Data, not a lesson: UCI's 8x8 handwritten digits for digits.ag (:load digits_data)")
print("# From scikit-learn's digits.csv.gz (samples/data/README.md: source and licences),")
print("# shuffled once with Python's random.Random(0);")
print("# written by digits_to_ag.py, do not edit.  digits_x: (1797, 64) grey levels 0..16,")
print("# digits_t: the labels 0..9.")
print("digits_x = data([" + ",\n".join("[" + ",".join(str(int(float(v))) for v in r[:64]) + "]" for r in rows) + "])")
print("digits_t = data([" + ",".join(str(int(float(r[64]))) for r in rows) + "])")
