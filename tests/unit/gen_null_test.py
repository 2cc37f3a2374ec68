#!/usr/bin/env python3
"""Writes a C program that calls every function the public headers declare
with NULL for its handles, so a new function cannot forget.

usage: gen_null_test.py INCLUDE_DIR [EXPORTED_SYMBOLS_FILE] > test_null_handles.c

The prototypes come from INCLUDE_DIR/*.h (between the comments and macros).
EXPORTED_SYMBOLS_FILE, when given, lists the library's exported function
names (nm); every one of them must have a prototype here, or generation fails.

Each function is called
  A. with every handle NULL (ag_ctx, ag_var, ag_func, ag_model, ag_optim,
     ag_rng pointers, and arrays of variables holding only NULLs), and
  B. for each handle parameter in turn, with that one NULL and the others real
     (a context, a [1] variable, a function, an MLP, an Adam optimizer, a
     registered user op).
The other arguments are valid: buffers, shapes of 1s, counts of 1.  Then
  C. for each buffer, array or out-parameter in turn (a pointer that is not a
     handle, a callback or user data), with that one NULL and every handle
     real.
Every call must return its type's "nothing" value (the contract in ag_core.h:
NULL, -1, NaN, 0, false, ""; the exceptions are listed below), and in B,
when the call has a context at hand (a real context, model or optimizer
argument), it must leave a message (ag_failed).  Passing NULL where the
header says NULL means something (ag_linear's bias, ag_rand's generator) is
checked only for not crashing."""
import os
import re
import sys

HANDLES = {"ag_ctx", "ag_var", "ag_func", "ag_model", "ag_optim", "ag_rng", "ag_userop"}
OWNERS = {"ag_ctx", "ag_model", "ag_optim"}  # a context is at hand through these

# (function, parameter) pairs where NULL is a documented, meaningful value.
NULL_MEANS_SOMETHING = {
    ("ag_linear", "b"),
    ("ag_rand", "rng"),
    ("ag_randn", "rng"),
    # the data sets (ag_data.h): NULL draws from the context's generator;
    # gaussians' centres NULL places them on a circle
    ("ag_data_moons", "rng"), ("ag_data_circles", "rng"), ("ag_data_xor", "rng"),
    ("ag_data_gaussians", "rng"), ("ag_data_gaussians", "centres"), ("ag_data_spiral", "rng"),
    ("ag_data_sine", "rng"), ("ag_data_sine_regression", "rng"),
    ("ag_func_input_grad", "gy"),
    ("ag_set_grad", "grad"),
    ("ag_set_name", "name"),  # unnames
    ("ag_optim_bind_model", "m"),  # unbinds
    ("ag_nll_loss_weighted", "weight"),  # the losses' weights: NULL is none
    ("ag_cross_entropy_weighted", "weight"),
    ("ag_binary_cross_entropy_weighted", "weight"),
    ("ag_binary_cross_entropy_with_logits_weighted", "weight"),
    ("ag_binary_cross_entropy_with_logits_weighted", "pos_weight"),
    # phase C: buffers and out-parameters the headers say may be NULL
    ("ag_new", "data"),             # zeros
    ("ag_model_param", "name"),     # the name not wanted
    ("ag_optim_param", "fallback"),
    ("ag_optim_hook", "value"),
    ("ag_cnn_misplaced_layer", "linear"),  # not wanted
    ("ag_cnn_misplaced_layer", "order"),
    ("ag_roll", "axis"),            # the flattened x
    ("ag_transpose", "axes"),       # reversed
    ("ag_backward_with", "opts"),   # the defaults
}
# Axis lists: NULL (with a count of 0) is every axis, in every reduction.
AXES_PARAMS = {"axis", "axes"}

# Strings phase C passes where "x" would end the call before the NULL is
# reached (a name it must recognise first).
STRING_ARGS = {("ag_activation_from_name", "name"): '"relu"'}

# Functions whose buffers and out-parameters are not called NULL in phase C
# (each says why).
NOT_OUT_CHECKED = {
    "ag_npz_free",  # frees what ag_npz_read made: the generator has no such arrays to give it
}

# What a call answers with a NULL handle when the type's default is not it.
# Defaults: pointer NULL, int -1, double NaN, bool false, size_t/unsigned/long 0.
INT_ZERO = {  # counts and getters that answer 0 ("nothing there")
    "ag_ndim", "ag_grad_calls", "ag_generation", "ag_func_ninputs", "ag_func_noutputs",
    "ag_func_generation", "ag_model_param_count", "ag_optim_hook_count", "ag_userop_ninputs",
    "ag_optim_state_count", "ag_blas_threads",
}
EXPECT = {
    "ag_errmsg": "STRING",          # a message saying there is no context
    "ag_failed": "TRUE",
    "ag_name": "EMPTY",
    "ag_userop_name": "EMPTY",
    "ag_func_name": "EMPTY",
    "ag_func_label": "EMPTY_BUF",   # returns buf, holding ""
    "ag_model_describe": "BUF",     # returns buf (holding a note)
    "ag_optim_describe": "BUF",
    "ag_set_grad_enabled": "ANY",   # previous value of a switch: false
    "ag_set_train": "ANY",
    "ag_func_op": "MINUS1",
    "ag_var_string": "ANY_FREE",    # malloc'd "variable(None)"-like text or NULL
    "ag_var_display": "ANY_FREE",
    "ag_set_error": "NULL",
    "ag_model_get_kind": "MINUS1",
    "ag_hook_validate": "ANY",      # the check runs without a context
    "ag_gc_stats": "ANY",
    "ag_optim_get_config": "ANY",
    "ag_optim_defaults": "ANY",
}


def strip(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"\\\n", " ", text)
    text = "\n".join(l for l in text.split("\n") if not l.lstrip().startswith("#"))
    text = text.replace("AG_BEGIN_DECLS", " ").replace("AG_END_DECLS", " ")
    return text


def parse_param(p):
    p = p.strip()
    if p == "...":
        return {"type": "...", "name": "", "base": "...", "stars": 0}
    m = re.match(r"^(.*?)([A-Za-z_]\w*)$", p)
    typ, name = m.group(1).strip(), m.group(2)
    base = re.sub(r"\b(const|volatile|struct|enum)\b", " ", typ).replace("*", " ").split()
    return {"type": typ, "name": name, "base": base[0] if base else "", "stars": typ.count("*")}


def prototypes(incdir):
    protos = {}
    for fn in sorted(os.listdir(incdir)):
        if not fn.endswith(".h"):
            continue
        text = strip(open(os.path.join(incdir, fn)).read())
        for seg in text.split(";"):
            seg = " ".join(seg.split())
            seg = re.sub(r"\s*(AG_DEPRECATED\(.*\)|AG_PRINTF\(.*\)|__attribute__\(\(.*\)\))\s*$", "", seg)
            if "typedef" in seg or "{" in seg or "}" in seg:
                seg = seg.split("}")[-1].strip()
                if "typedef" in seg or "{" in seg:
                    continue
            m = re.match(r"^((?:const\s+)?[A-Za-z_]\w*(?:\s+[A-Za-z_]\w*)*\s*\**)\s*(ag_\w+)\s*\((.*)\)$", seg)
            if not m:
                continue
            ret, name, params = m.group(1).strip(), m.group(2), m.group(3).strip()
            plist = [] if params in ("", "void") else [parse_param(p) for p in params.split(",")]
            protos[name] = {"ret": ret, "params": plist, "header": fn}
    return protos


def is_handle(p):
    return p["base"] in HANDLES and p["stars"] == 1


def is_handle_array(p):
    return p["base"] == "ag_var" and p["stars"] == 2 and "const" in p["type"].split("*")[1]


def is_buffer(p):
    """A buffer, array or out-parameter: a pointer that is not a handle, a
    callback, a caller's opaque user pointer or an options struct."""
    if p["stars"] < 1 or is_handle(p) or is_handle_array(p) or p["base"] == "...":
        return False
    if p["base"].endswith("_fn") or p["base"] in ("sig_atomic_t", "ag_backward_opts"):
        return False
    if p["base"] == "void" and "const" not in p["type"]:
        return False  # user data handed back to a callback
    return True


def arg(p, fname, null, real):
    """The C expression for parameter p.  null: this handle is NULL;
    real: the real handles are at hand (phase B)."""
    b, t, s = p["base"], p["type"], p["stars"]
    if b == "...":
        return None
    if is_handle(p):
        if null or not real:
            return "NULL"
        return {"ag_ctx": "C", "ag_var": "V", "ag_func": "F", "ag_model": "M",
                "ag_optim": "O", "ag_rng": "R", "ag_userop": "U"}[b]
    if is_handle_array(p):
        return "null_vars" if (null or not real) else "real_vars"
    if b == "ag_var" and s == 2:
        return "out_vars"
    if s == 2 and b == "char":
        return "&strp" if "const" in t else "&mstrp"
    # the outputs of the data files (ag_files.h): NULL is refused with a message
    if (s >= 2 and b in ("void", "ag_var", "char")) or (s == 1 and b == "size_t"):
        return "NULL"
    if s >= 1:
        if b == "char" and "const" in t:
            return '"x"'
        if b == "char":
            return "buf"
        if b == "unsigned" and "char" in t:
            return "(unsigned char *)buf"
        if b == "int":
            return "ones"
        if b == "size_t":
            return "&sizeout"
        if b == "void" and "const" in t:
            return "buf"
        if b == "double":
            return "dbuf"
        if b == "sig_atomic_t":
            return "NULL"
        if b == "ag_optim_config":
            return "&config"
        if b == "ag_optim_state":
            return "&state"
        if b == "ag_activation":
            return "&act"
        if b == "ag_userop_def":
            return "&udef"
        if b in ("ag_backward_opts", "ag_backward_options"):
            return "NULL"
        if b == "ag_csv_options":
            return "NULL"
        if b == "ag_layer_spec":  # ag_cnn's layers, ag_model_layer_spec's output
            return "NULL"
        if b == "void":
            return "NULL"
        raise SystemExit(f"gen_null_test: {fname}: no value for parameter type {t!r}")
    if b.endswith("_fn"):
        return "NULL"
    if b in ("int", "unsigned", "long"):
        return "1"
    if b == "size_t":
        return "sizeof buf"
    if b == "double":
        return "0.5"
    if b == "bool":
        return "false"
    if b == "char":
        return "','"
    if b in ("uint64_t", "uint32_t"):
        return "1"
    if b.startswith("ag_"):  # an enum
        return "(%s)0" % b
    raise SystemExit(f"gen_null_test: {fname}: no value for parameter type {t!r}")


def check_expr(name, ret):
    """A C statement checking the result in r (or none), given the return type."""
    e = EXPECT.get(name)
    base = ret.replace("const", "").strip()
    if ret == "void":
        return "", "(void)0"
    decl = f"{ret} r = "
    if e == "ANY":
        return decl, "(void)r"
    if e == "ANY_FREE":
        return decl, "free(r)"
    if e == "STRING":
        return decl, 'EXPECT(r != NULL && r[0] != 0, "a message")'
    if e == "TRUE":
        return decl, 'EXPECT(r, "true")'
    if e == "EMPTY":
        return decl, 'EXPECT(r != NULL && r[0] == 0, "\\"\\"")'
    if e == "EMPTY_BUF":
        return decl, 'EXPECT(r == buf && buf[0] == 0, "buf holding \\"\\"")'
    if e == "BUF":
        return decl, 'EXPECT(r == buf, "buf")'
    if e == "MINUS1":
        return decl, 'EXPECT((int)r == -1, "-1")'
    if e == "NULL" or "*" in base:
        return decl, 'EXPECT(r == NULL, "NULL")'
    if base == "double":
        return decl, 'EXPECT(isnan(r), "NaN")'
    if base == "int":
        if name in INT_ZERO:
            return decl, 'EXPECT(r == 0, "0")'
        return decl, 'EXPECT(r == -1, "-1")'
    if base == "bool":
        return decl, 'EXPECT(!r, "false")'
    if base in ("size_t", "unsigned", "long", "uint32_t"):
        return decl, 'EXPECT(r == 0, "0")'
    return decl, "(void)r"


def main():
    incdir = sys.argv[1]
    protos = prototypes(incdir)
    if len(sys.argv) > 2:
        exported = [l.strip() for l in open(sys.argv[2]) if l.strip()]
        missing = [s for s in exported if s not in protos]
        if missing:
            raise SystemExit("gen_null_test: exported but declared in no header: " + " ".join(missing))
        if len(exported) < 100:
            raise SystemExit(f"gen_null_test: only {len(exported)} exported names (listing broken?)")
    if len(protos) < 150:
        raise SystemExit(f"gen_null_test: only {len(protos)} prototypes found (parser broken?)")

    out = []
    w = out.append
    w("/* Generated by tests/unit/gen_null_test.py from the public headers: do not edit. */")
    w("#include <math.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>")
    w('#include "autograd.h"\n')
    w("static int failures, calls;")
    w("static ag_ctx *C; static ag_var *V; static ag_func *F; static ag_model *M; static ag_optim *O;")
    w("static ag_rng *R; static ag_userop *U;")
    w("static int u_forward(ag_ctx *c, void *u, const ag_var *const *x, int n, double *y, int nd, const int *s) {")
    w("    (void)c; (void)u; (void)n; (void)nd; (void)s; y[0] = 2 * ag_cdata(x[0])[0]; return 0;")
    w("}")
    w("static int u_backward(ag_ctx *c, void *u, ag_var *const *x, int n, ag_var *y, ag_var *gy, ag_var **gx) {")
    w("    (void)u; (void)x; (void)n; (void)y; gx[0] = ag_mul(c, gy, ag_scalar(c, 2)); return gx[0] ? 0 : -1;")
    w("}")
    w("static ag_userop_def udef = {\"nulltest_double\", 1, NULL, u_forward, u_backward, NULL, NULL};")
    w("static char buf[512]; static double dbuf[64]; static int ones[16] = {1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1};")
    w("static ag_var *null_vars[2]; static ag_var *real_vars[2]; static ag_var *out_vars[8];")
    w("static ag_optim_config config; static ag_optim_state state; static ag_activation act;")
    w("static const char *what, *strp; static size_t sizeout; static char *mstrp;")
    w("#define EXPECT(cond, want) do { if (!(cond)) { failures++; "
      "printf(\"FAIL: %s: expected %s\\n\", what, want); } } while (0)")
    w("#define MESSAGE() do { if (!ag_failed(C)) { failures++; "
      "printf(\"FAIL: %s: no message in the context\\n\", what); } } while (0)")
    w("")
    w("static void reset(void) {")
    w("    memset(buf, 0, sizeof buf); memset(dbuf, 0, sizeof dbuf); memset(out_vars, 0, sizeof out_vars);")
    w("    config = ag_optim_defaults(AG_ADAM); memset(&state, 0, sizeof state); act = AG_ACT_RELU;")
    w("    sizeout = 0; mstrp = NULL; ag_clear_error(C); calls++;")
    w("}")
    w("")
    w("static void setup(void) {")
    w("    C = ag_ctx_new();")
    w("    V = ag_scalar(C, 0.5); ag_retain(V);")
    w("    ag_var *y = ag_sin(C, V); ag_retain(y); F = ag_creator(y);")
    w("    int sizes[2] = {2, 1};")
    w("    M = ag_mlp(C, sizes, 2, AG_ACT_SIGMOID, 1);")
    w("    O = ag_adam(C, 0.001, 0.9, 0.999, 1e-8, 0);")
    w("    R = ag_ctx_rng(C);")
    w("    U = ag_op_register(C, &udef);")
    w("    real_vars[0] = real_vars[1] = V;")
    w("    if (!C || !V || !F || !M || !O || !R || !U) { printf(\"FAIL: setup: %s\\n\", ag_errmsg(C)); exit(1); }")
    w("}")
    w("")
    skip = {"ag_ctx_free", "ag_set_interrupt"}  # ag_ctx_free(real) ends the test; flag is not a handle
    bodies = []
    for name in sorted(protos):
        pr = protos[name]
        params = pr["params"]
        hidx = [i for i, p in enumerate(params) if is_handle(p) or is_handle_array(p)]
        if not hidx:
            continue
        decl, check = check_expr(name, pr["ret"])
        fb = [f"static void t_{name}(void) {{"]
        # A: every handle NULL.
        args = ", ".join(a for a in (arg(p, name, True, False) for p in params) if a)
        fb.append(f'    reset(); what = "{name} (every handle NULL)";')
        fb.append(f"    {{ {decl}{name}({args}); {check}; }}")
        # B: one handle NULL, the others real.
        if name not in skip:
            for i in hidx:
                p = params[i]
                if p["base"] == "ag_ctx" and all(params[j]["base"] == "ag_ctx" for j in hidx):
                    continue  # the same as A
                args = ", ".join(a for a in (arg(q, name, j == i, True) for j, q in enumerate(params)) if a)
                meaningful = (name, p["name"]) in NULL_MEANS_SOMETHING
                owners = [params[j]["base"] for j in hidx if j != i and params[j]["base"] in OWNERS]
                fb.append(f'    reset(); what = "{name} ({p["name"]} NULL)";')
                if meaningful:
                    fb.append(f"    {{ {decl.replace(' r = ', ' r2 = ') if decl else ''}{name}({args});"
                              f"{' (void)r2;' if decl else ''} }}")
                    continue
                fb.append(f"    {{ {decl}{name}({args}); {check}; }}")
                if owners and pr["ret"] != "void" and EXPECT.get(name) not in ("ANY", "ANY_FREE"):
                    fb.append("    MESSAGE();")
        fb.append("}")
        bodies.append((name, "\n".join(fb)))
    # C: each buffer or out-parameter NULL, every handle real.
    for name in sorted(protos):
        pr = protos[name]
        params = pr["params"]
        if name in skip or name in NOT_OUT_CHECKED:
            continue
        pidx = [i for i, p in enumerate(params) if is_buffer(p) and (name, p["name"]) not in NULL_MEANS_SOMETHING
                and not (p["name"] in AXES_PARAMS and p["base"] == "int")]
        if not pidx:
            continue
        decl, check = check_expr(name, pr["ret"])
        if "*" in pr["ret"] and EXPECT.get(name) not in ("ANY", "ANY_FREE"):
            check = 'EXPECT(r == NULL, "NULL")'  # a buffer-returning call has none to return
        hidx = [i for i, p in enumerate(params) if is_handle(p) or is_handle_array(p)]
        fb = [f"static void c_{name}(void) {{"]
        for i in pidx:
            p = params[i]
            args = ", ".join(a for a in ("NULL" if j == i else STRING_ARGS.get((name, q["name"]))
                                         or arg(q, name, False, True) for j, q in enumerate(params)) if a)
            owners = [params[j]["base"] for j in hidx if params[j]["base"] in OWNERS]
            fb.append(f'    reset(); what = "{name} ({p["name"]} NULL)";')
            fb.append(f"    {{ {decl}{name}({args}); {check}; }}")
            if owners and pr["ret"] != "void" and EXPECT.get(name) not in ("ANY", "ANY_FREE"):
                fb.append("    MESSAGE();")
        fb.append("}")
        bodies.append(("c_" + name, "\n".join(fb)))
    for _, b in bodies:
        w(b)
        w("")
    w("static const struct { const char *name; void (*fn)(void); } tests[] = {")
    for name, _ in bodies:
        fn = name if name.startswith("c_") else "t_" + name
        w(f'    {{"{name}", {fn}}},')
    w("};")
    w("")
    w("/* With a function name as argument, runs only that one's calls. */")
    w("int main(int argc, char **argv) {")
    w("    setup();")
    w("    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)")
    w("        if (argc < 2 || strcmp(argv[1], tests[i].name) == 0) tests[i].fn();")
    w("    ag_optim_free(O); ag_model_unref(M); ag_ctx_free(C);")
    w(f'    printf("%s: %d calls of {len(bodies)} functions with NULL handles, %d failures\\n",')
    w('           failures ? "FAIL" : "ok", calls, failures);')
    w("    return failures ? 1 : 0;")
    w("}")
    print("\n".join(out))


main()
