"""numpy_files_test.py — agrepl's files of data against NumPy, both ways,
bit for bit: NumPy writes .npy files of every dtype, byte order and memory
order, .npz archives (np.savez, np.savez_compressed) and CSV text; agrepl
reads each and writes it back (save_npy, save_npz, save_csv); NumPy reads
what agrepl wrote and compares every double's bits.  agrepl's .npy of a
float64 array is byte for byte what np.save writes.

Usage: /usr/bin/python3 tests/python/numpy_files_test.py build/agrepl"""

import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402
from checks import check  # noqa: E402

AGREPL = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/agrepl")
tmp = checks.temp_dir("agrepl-numpy-")  # removed at the end, however it ends


def agrepl(script):
    """Runs the script in tmp; (status, stdout + stderr)."""
    run = subprocess.run([AGREPL, "--headless"], input=script, cwd=tmp, capture_output=True, text=True,
                         timeout=120)
    return run.returncode, run.stdout + run.stderr


def path(name):
    return os.path.join(tmp, name)


def same_bits(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and a.tobytes() == b.tobytes()


rng = np.random.default_rng(1)

# ---- .npy: every dtype, byte order and memory order NumPy writes ----------
arrays = {
    "f8": rng.standard_normal((3, 4)),
    "f8_special": np.array([0.0, -0.0, np.inf, -np.inf, 1e-308, 5e-324, 1.7976931348623157e308]),
    "f4": rng.standard_normal((2, 3)).astype(np.float32),
    "i8": np.array([[-(2**53), 2**53], [-1, 7]], dtype=np.int64),
    "i4": np.array([-(2**31), 2**31 - 1, 0], dtype=np.int32),
    "i2": np.array([-32768, 32767], dtype=np.int16),
    "i1": np.array([-128, 127], dtype=np.int8),
    "u1": np.arange(0, 256, 51, dtype=np.uint8).reshape(2, 3),
    "u2": np.array([0, 65535], dtype=np.uint16),
    "u4": np.array([0, 2**32 - 1], dtype=np.uint32),
    "u8": np.array([0, 2**53], dtype=np.uint64),
    "bool": np.array([[True, False], [False, True]]),
    "f8_big": rng.standard_normal(5).astype(">f8"),
    "i4_big": np.array([1, -2, 3], dtype=">i4"),
    "f8_fortran": np.asfortranarray(rng.standard_normal((3, 5))),
    "i8_fortran3d": np.asfortranarray(np.arange(24, dtype=np.int64).reshape(2, 3, 4)),
    "f4_fortran": np.asfortranarray(rng.standard_normal((4, 2)).astype(np.float32)),
    "scalar": np.float64(2.5),
    "empty": np.zeros((0, 3)),
    "d3": rng.standard_normal((2, 2, 3)),
}
script = []
for name, a in arrays.items():
    np.save(path(name + ".npy"), a)
    script.append(f'a = load_npy("{name}.npy")\nsave_npy("{name}.back.npy", a)\n')
status, output = agrepl("".join(script))
check("agrepl reads and writes back every .npy NumPy wrote", status == 0, output)
for name, a in arrays.items():
    try:
        back = np.load(path(name + ".back.npy"))
    except Exception as e:  # noqa: BLE001
        check(f".npy {name}: NumPy reads what agrepl wrote", False, e)
        continue
    check(f".npy {name} {np.asarray(a).dtype.str} {'F' if np.isfortran(a) else 'C'}: the same numbers, bit for bit",
          back.dtype == np.float64 and same_bits(back, np.asarray(a).astype(np.float64)), f"{a!r} vs {back!r}")
# float64 in C order: agrepl's file is np.save's, byte for byte
for name in ("f8", "f8_special", "scalar", "empty", "d3"):
    back = path(name + ".back.npy")
    check(f".npy {name}: agrepl's file is byte for byte np.save's",
          os.path.exists(back) and open(path(name + ".npy"), "rb").read() == open(back, "rb").read())

# a descr without its byte order ('i4'): np.load reads it in the machine's
# order ('|' for one byte); agrepl too.  np.save always writes one, so the
# header is written by np.save and the order taken out, padding kept.
script = []
for name, dtype in [("i4", "<i4"), ("u2", "<u2"), ("f8", ">f8"), ("f4", "=f4"), ("u1", "|u1"), ("b1", "|b1")]:
    a = np.array([1, 0, 3, 2], dtype=dtype).reshape(2, 2)
    np.save(path("noorder.npy"), a)
    raw = open(path("noorder.npy"), "rb").read()
    descr = np.lib.format.dtype_to_descr(a.dtype).encode()
    bare = descr.lstrip(b"<>|=")
    raw = raw.replace(b"'descr': '" + descr + b"'", b"'descr': '" + bare + b"'" + b" " * (len(descr) - len(bare)), 1)
    with open(path(f"noorder_{name}.npy"), "wb") as f:
        f.write(raw)
    script.append(f'a = load_npy("noorder_{name}.npy")\nsave_npy("noorder_{name}.back.npy", a)\n')
status, output = agrepl("".join(script))
for name in ("i4", "u2", "f8", "f4", "u1", "b1"):
    want = np.load(path(f"noorder_{name}.npy"))
    back = path(f"noorder_{name}.back.npy")
    check(f".npy descr '{want.dtype.str.lstrip('<>|=')}' without a byte order: read as np.load reads it ({want.dtype})",
          status == 0 and os.path.exists(back) and same_bits(np.load(back), want), output)
# an object array (np.save with allow_pickle): refused as another dtype is
np.save(path("obj.npy"), np.array([1, None], dtype=object), allow_pickle=True)
status, output = agrepl('o = load_npy("obj.npy")\n')
check(".npy of objects: refused naming the dtype, as float16 is",
      "obj.npy: the dtype '|O' is not supported (float64, float32, int8-64, uint8-64 and bool are)\n" in output,
      output)

# ---- agrepl writes first, NumPy reads ---------------------------------------
status, output = agrepl('x = randn([4, 3], seed=5)\nsave_npy("x.npy", x)\nsave_csv("x.csv", x)\n'
                        'print(x)\n')
x = np.load(path("x.npy"))
check("agrepl's randn saved as .npy reads in NumPy as a (4, 3) float64", status == 0 and x.shape == (4, 3), output)
check("the same numbers through CSV (shortest round-trip text), bit for bit",
      same_bits(np.loadtxt(path("x.csv"), delimiter=","), x))

# ---- .npz: stored and deflated, both ways ---------------------------------
xs, ts = rng.standard_normal((5, 2)), np.array([0, 1, 1, 0, 1])
np.savez(path("d.npz"), x=xs, t=ts)
np.savez_compressed(path("dc.npz"), x=xs, t=ts)
status, output = agrepl('d = load_npz("d.npz")\ndc = load_npz("dc.npz")\nt = load_npz("dc.npz", name="t")\n'
                        'save_npz("back.npz", d[0], d[1], names=["x", "t"])\n'
                        'save_npz("backc.npz", dc[0], dc[1], t, names=["x", "t", "t2"], compress=true)\n'
                        'save_npz("plain.npz", d[0], d[1])\n')
check("agrepl reads np.savez and np.savez_compressed archives and writes its own", status == 0, output)
back, backc, plain = np.load(path("back.npz")), np.load(path("backc.npz")), np.load(path("plain.npz"))
check(".npz stored: NumPy reads x and t back, bit for bit",
      sorted(back.files) == ["t", "x"] and same_bits(back["x"], xs) and same_bits(back["t"], ts), back.files)
check(".npz compressed: the same, and the one picked by name",
      same_bits(backc["x"], xs) and same_bits(backc["t"], ts) and same_bits(backc["t2"], ts), backc.files)
check(".npz without names: arr_0, arr_1 as np.savez names positional arrays", plain.files == ["arr_0", "arr_1"],
      plain.files)
import zipfile  # noqa: E402
with zipfile.ZipFile(path("backc.npz")) as z:
    kinds = {i.filename: i.compress_type for i in z.infolist()}
with zipfile.ZipFile(path("back.npz")) as z:
    kinds_plain = {i.filename: i.compress_type for i in z.infolist()}
check("compress=true deflates every member, and the default stores them",
      set(kinds.values()) == {zipfile.ZIP_DEFLATED} and set(kinds_plain.values()) == {zipfile.ZIP_STORED},
      (kinds, kinds_plain))

# an archive of one array (np.savez names it arr_0; np.savez_compressed with
# a name) gives that array, as load_npy does, not a list of one: x =
# load_npz(f) reads back what np.savez(f, x) wrote; save_npz(f, x) of it
# writes what NumPy reads back as arr_0
np.savez(path("one.npz"), xs)
np.savez_compressed(path("onec.npz"), t=ts)
status, output = agrepl('o = load_npz("one.npz")\nc = load_npz("onec.npz")\nprint(o.shape, c.shape)\n'
                        'save_npy("one_back.npy", o)\nsave_npz("one_back.npz", c)\n')
one_back = np.load(path("one_back.npz")) if os.path.exists(path("one_back.npz")) else {"arr_0": None}
check(".npz of one array: that array itself (its shape [5 2], not a list of one), bit for bit both ways",
      status == 0 and "[5 2] [5]" in output and same_bits(np.load(path("one_back.npy")), xs) and
      same_bits(one_back["arr_0"], ts), output)

# name= reads that member alone, as np.load(f)[name] does: a member of a
# dtype agrepl does not read (float16, object) beside it is no error then;
# without name= every member is read and such a one refused
np.savez(path("f16.npz"), a=xs, h=np.ones(2, dtype=np.float16))
np.savez(path("obj.npz"), o=np.array([1, None], dtype=object), a=ts, b=np.ones(3))
status, output = agrepl('a = load_npz("f16.npz", name="a")\nsave_npy("f16a.npy", a)\n'
                        'b = load_npz("obj.npz", name="b")\na2 = load_npz("obj.npz", name="a")\n'
                        'save_npz("objab.npz", a2, b)\n')
with np.load(path("f16.npz")) as f16, np.load(path("obj.npz")) as obj:
    want_a, want_oa, want_ob = f16["a"], obj["a"], obj["b"]
objab = np.load(path("objab.npz")) if os.path.exists(path("objab.npz")) else {}
check(".npz name=: the member alone is read, beside a float16 and an object member, as np.load(f)[name]",
      status == 0 and same_bits(np.load(path("f16a.npy")), want_a) and same_bits(objab["arr_0"], want_oa) and
      same_bits(objab["arr_1"], want_ob), output)
status, output = agrepl('a = load_npz("f16.npz")\nb = load_npz("obj.npz")\nc = load_npz("obj.npz", name="o")\n')
check(".npz without name=: every member is read, and the float16 and object ones refused",
      status != 0 and output.count("error") == 3 and "f16.npz: h.npy: the dtype '<f2' is not supported" in output and
      output.count("obj.npz: o.npy: the dtype '|O' is not supported (float64, float32, int8-64, uint8-64 and bool "
                   "are)\n") == 2, output)

# ---- CSV: NumPy writes, agrepl reads (RFC 4180 text too) and writes back -------
table = rng.standard_normal((6, 3))
np.savetxt(path("t.csv"), table, delimiter=",", fmt="%.17g", header="a,b,c", comments="")
status, output = agrepl('x = load_csv("t.csv", header=true)\nsave_csv("t.back.csv", x, header=["a", "b", "c"])\n'
                        'p = load_csv("t.csv", header=true, target="c")\nsave_npz("p.npz", p[0], p[1])\n'
                        'q = load_csv("t.csv", header=true, columns=["c", 0])\nsave_npy("q.npy", q)\n')
check("agrepl reads np.savetxt's CSV with its header", status == 0, output)
check("CSV: np.loadtxt reads agrepl's file back, bit for bit",
      same_bits(np.loadtxt(path("t.back.csv"), delimiter=",", skiprows=1), table))
with open(path("t.back.csv")) as f:
    check("CSV: agrepl's header line", f.readline() == "a,b,c\n")
p = np.load(path("p.npz"))
check("CSV target=: x without the column, t the column", same_bits(p["arr_0"], table[:, :2]) and
      same_bits(p["arr_1"], table[:, 2]))
check("CSV columns=[\"c\", 0]: by name and by number, in that order", same_bits(np.load(path("q.npy")), table[:, [2, 0]]))

# RFC 4180: quoted fields, "" inside quotes, separators and line breaks in quotes, CRLF
with open(path("rfc.csv"), "wb") as f:
    f.write(b'"first, name","say ""hi""","two\r\nlines"\r\n1,"2.5",-3e2\r\n\r\n 4 ,5,"6"\r\n')
status, output = agrepl('r = load_csv("rfc.csv", header=true)\nsave_npy("rfc.npy", r)\n'
                        'r2 = load_csv("rfc.csv", header=true, columns=["say \\"hi\\""])\nsave_npy("rfc2.npy", r2)\n')
check("RFC 4180: quoted names with commas, quotes and line breaks; CRLF; a blank line",
      status == 0 and same_bits(np.load(path("rfc.npy")), [[1, 2.5, -300], [4, 5, 6]]) and
      same_bits(np.load(path("rfc2.npy")), [[2.5], [5]]), output)

# columns= reads only what it keeps, as np.loadtxt's usecols: words and an
# empty field in a column left out are no error; the target is never in x
with open(path("words.csv"), "w") as f:
    f.write("a,name,c,t\n1.5,foo,3,0\n4,,-6e-3,1\n")
status, output = agrepl('w = load_csv("words.csv", header=true, columns=["a", "c"])\nsave_npy("w.npy", w)\n'
                        'v = load_csv("words.csv", header=true, columns=[2, "t", 0], target="t")\n'
                        'save_npz("v.npz", v[0], v[1])\n')
v = np.load(path("v.npz")) if status == 0 else {}
check("CSV columns= leaves a column of words unread, as usecols",
      status == 0 and same_bits(np.load(path("w.npy")),
                                np.loadtxt(path("words.csv"), delimiter=",", skiprows=1, usecols=(0, 2))) and
      same_bits(v["arr_0"], np.loadtxt(path("words.csv"), delimiter=",", skiprows=1, usecols=(2, 0))) and
      same_bits(v["arr_1"], np.loadtxt(path("words.csv"), delimiter=",", skiprows=1, usecols=3)), output)

# column numbers from -1 count from the last, as usecols=(-1, 0)
status, output = agrepl('n = load_csv("t.csv", header=true, columns=[-1, 0], target=-2)\n'
                        'save_npz("n.npz", n[0], n[1])\n')
n = np.load(path("n.npz")) if status == 0 else {}
check("CSV columns=[-1, 0], target=-2: counted from the last, as usecols",
      status == 0 and same_bits(n["arr_0"], np.loadtxt(path("t.csv"), delimiter=",", skiprows=1, usecols=(-1, 0))) and
      same_bits(n["arr_1"], np.loadtxt(path("t.csv"), delimiter=",", skiprows=1, usecols=-2)), output)

# numbers: what np.loadtxt reads, agrepl reads alike, bit for bit; what it
# refuses (strtod's hexadecimal, nan(chars)), agrepl refuses
spellings = ["nan", "NaN", "-nan", "+inf", "-Infinity", "INF", "1e3", " 2 ", "\t-3\t", ".5", "1.", "-0", "1e400",
             "1e-400", "4.9e-324", "0x10", "-0X1p3", "0x1.8p1", "nan(123)", "nan()", "1e", "1d3", "1_000", "--5", "."]
script = []
for i, text in enumerate(spellings):
    with open(path(f"n{i}.csv"), "w") as f:
        f.write(f"1;{text}\n")
    script.append(f'v{i} = load_csv("n{i}.csv", delimiter=";")\nsave_npy("n{i}.npy", v{i})\n')
status, output = agrepl("".join(script))
for i, text in enumerate(spellings):
    try:
        want = np.loadtxt(path(f"n{i}.csv"), delimiter=";", ndmin=2)
    except ValueError:
        want = None
    got = np.load(path(f"n{i}.npy")) if os.path.exists(path(f"n{i}.npy")) else None
    check(f"CSV number {text!r}: {'refused' if want is None else 'read'} as np.loadtxt does",
          (want is None and got is None) or (want is not None and got is not None and same_bits(got, want)), output)

# comments, as np.loadtxt's comments='#': from a '#' to the line's end, a
# line of only a comment left out, a '#' in quotes is text (loadtxt's
# quotechar='"'); np.savetxt's header is a comment by default
comments = {
    "c_first": "# made by hand\n1,2\n3,4\n",
    "c_after": "1,2 # the first\n3,4# the second\n",
    "c_between": "1,2\n# between\n#\n3,4\n",
    "c_crlf": "# c\r\n1,2 # x\r\n3,4\r\n",
    "c_last": "1,2\n3,4 # no line end",
    "c_quoted": '"1",2 # c\n"3","4"\n',
}
script = []
for name, text in comments.items():
    with open(path(name + ".csv"), "w", newline="") as f:
        f.write(text)
    script.append(f'c = load_csv("{name}.csv")\nsave_npy("{name}.npy", c)\n')
np.savetxt(path("c_savetxt.csv"), table, delimiter=",", fmt="%.17g", header="a,b,c")
script.append('c = load_csv("c_savetxt.csv")\nsave_npy("c_savetxt.npy", c)\n')
with open(path("c_header.csv"), "w") as f:
    f.write('# made by hand\n"a#1",b # the names\n1,2 # one\n3,4\n')
script.append('c = load_csv("c_header.csv", header=true, target="b", columns=["a#1"])\n'
              'save_npz("c_header.npz", c[0], c[1])\n')
status, output = agrepl("".join(script))
for name in list(comments) + ["c_savetxt"]:
    want = np.loadtxt(path(name + ".csv"), delimiter=",", ndmin=2, quotechar='"')
    got = np.load(path(name + ".npy")) if os.path.exists(path(name + ".npy")) else None
    check(f"CSV comments {name}: read as np.loadtxt reads them", got is not None and same_bits(got, want), output)
h = np.load(path("c_header.npz")) if os.path.exists(path("c_header.npz")) else {}
check("CSV comments before and after header=true's names (a quoted name with '#')",
      status == 0 and same_bits(h["arr_0"], np.loadtxt(path("c_header.csv"), delimiter=",", skiprows=2, usecols=[0],
                                                       ndmin=2)) and
      same_bits(h["arr_1"], np.loadtxt(path("c_header.csv"), delimiter=",", skiprows=2, usecols=1)), output)

# semicolons (delimiter=)
with open(path("semi.csv"), "w") as f:
    f.write("1;2\n3;4\n")
status, output = agrepl('s = load_csv("semi.csv", delimiter=";")\nsave_csv("semi.back.csv", s, delimiter=";")\n'
                        'save_npy("semi.npy", s)\n')
check("delimiter=\";\" both ways", status == 0 and same_bits(np.load(path("semi.npy")), [[1, 2], [3, 4]]) and
      open(path("semi.back.csv")).read() == "1;2\n3;4\n", output)

# writes keep what `>` keeps: a symbolic link stays a link, the mode stays;
# a failed write leaves the old file whole
with open(path("real.npy"), "wb") as f:
    f.write(b"old")
os.chmod(path("real.npy"), 0o640)
os.symlink("real.npy", path("link.npy"))
status, output = agrepl('save_npy("link.npy", ones(2))\nsave_csv("link.npy", zeros([2, 2, 2]))\n')
check("save_npy through a symbolic link writes the file it names, keeping its mode",
      os.path.islink(path("link.npy")) and oct(os.stat(path("real.npy")).st_mode & 0o777) == "0o640" and
      same_bits(np.load(path("real.npy")), np.ones(2)), output)
check("a refused save leaves the old file as it was", same_bits(np.load(path("real.npy")), np.ones(2)), output)

sys.exit(checks.summary("numpy files"))
