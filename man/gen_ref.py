#!/usr/bin/env python3
"""Writes the reference pages autograd_core(3), autograd_ops(3),
autograd_model(3), autograd_optim(3) and autograd_numeric(3) from the public
headers: every declaration with the comment written above or beside it, in
the headers' order and sections ("---- memory ----").  The headers are the
one place the API is described; these pages show it to man(1).

usage: gen_ref.py INCLUDE_DIR MAIN_PAGE OUT_DIR   writes the pages into OUT_DIR
(MAIN_PAGE, man/autograd.3, gives the date).

It also writes OUT_DIR/man3/: a copy of every section-3 page and, for every
function, type, enum constant and macro the pages declare, a page of its own
name that sources the page it is on (`.so man3/autograd_core.3` in
ag_backward.3, in AG_OPTIM_INIT.3 `.so man3/autograd_optim.3`), as SQLite
and libc have a page per name: `man ag_backward` after `make install`, or
`man -M OUT_DIR ag_backward` from a checkout."""
import os
import re
import sys

PAGES = [  # page, headers, what the page is about
    ("autograd_core", ["ag_api.h", "ag_core.h"],
     "contexts, variables, backward, memory and errors"),
    ("autograd_ops", ["ag_ops.h", "ag_userop.h"], "the differentiable ops, built in and user-defined"),
    ("autograd_model", ["ag_model.h"], "layers and models"),
    ("autograd_optim", ["ag_optim.h"], "optimizers and gradient hooks"),
    ("autograd_numeric", ["ag_numeric.h", "ag_rand.h", "ag_format.h"],
     "numerical gradients, the random generator and formatting"),
    ("autograd_data", ["ag_data.h", "ag_files.h"], "data sets, random orders and files of data"),
]


def roff(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    lines = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def comment_text(c):
    body = c[2:-2]
    lines = [re.sub(r"^\s*\* ?", "", l) for l in body.split("\n")]
    return "\n".join(lines).strip()


def items(path):
    """(kind, payload) in order: ("section", title), ("doc", text),
    ("decl", code), ("macro", code)."""
    src = open(path).read()
    # the file's own leading comment is the page's description
    out = []
    pos = 0
    head = re.match(r"\s*/\*.*?\*/", src, re.S)
    if head:
        out.append(("intro", comment_text(head.group(0).strip())))
        pos = head.end()
    depth = 0
    buf = ""
    pending = []
    in_decls = False
    last_end = -1
    # a directive runs on over backslash-newlines (a macro of several lines)
    token = re.compile(r"/\*.*?\*/|//[^\n]*|#(?:\\\n|[^\n])*|[{};]|[^{};/#]+|/", re.S)
    for m in token.finditer(src, pos):
        t = m.group(0)
        if t.startswith("/*"):
            text = comment_text(t)
            sec = re.match(r"-+\s*(.*?)\s*-+$", text.split("\n")[0])
            if depth == 0 and not buf.strip() and last_end >= 0 and "\n" not in src[last_end:m.start()] \
                    and out and out[-1][0] == "decl":
                out.append(("trail", text))
            elif sec and depth == 0:
                out.append(("section", sec.group(1).rstrip(":")))
                rest = "\n".join(text.split("\n")[1:]).strip()
                if rest:
                    pending.append(rest)
            elif depth == 0 and not buf.strip():
                pending.append(text)
            else:
                buf += " " + t
            continue
        if t.startswith("#"):
            if t.startswith("#define") and depth == 0 and in_decls and not t.startswith("#define AG_OP_ENUM_ENTRY"):
                out.append(("doc", "\n".join(pending))) if pending else None
                pending = []
                out.append(("macro", t))
            continue
        if "AG_BEGIN_DECLS" in t:
            in_decls = True
        if not in_decls:
            continue
        t = t.replace("AG_BEGIN_DECLS", "").replace("AG_END_DECLS", "")
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
        buf += t
        if t == ";" and depth == 0:
            code = buf.strip()
            buf = ""
            last_end = m.end()
            if not code or code == ";":
                continue
            if pending:
                out.append(("doc", "\n".join(pending)))
                pending = []
            out.append(("decl", code))
    return out


def names_in(code):
    return re.findall(r"\b(ag_\w+)\s*\(", code)


def types_in(code):
    """The type names a declaration makes (typedef struct ag_ctx ag_ctx;,
    } ag_backward_options;, typedef bool (*ag_step_fn)(...);) and the
    constants of an enum in it (AG_ERR_SHAPE, AG_ACT_TANH)."""
    if not code.startswith("typedef") and not code.startswith("enum"):
        return []
    names = re.findall(r"^typedef\s+(?:struct|enum|union)\s+(ag_\w+)", code)
    names += re.findall(r"\(\s*\*\s*(ag_\w+)\s*\)\s*\(", code)
    names += re.findall(r"\b(ag_\w+)\s*;\s*$", code)
    for body in re.findall(r"\benum\b[^{]*\{([^}]*)\}", code):
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        names += re.findall(r"\b(AG_[A-Z0-9_]+)\s*(?:=[^,]*)?(?:,|$)", body.strip())
    return names


def x_macro_constants(raw):
    """The enum constants an X-macro table makes: `enum { AG_OPTIM_KIND_LIST(
    AG_OPTIM_KIND_ENTRY) }` with `#define AG_OPTIM_KIND_ENTRY(ID, name)
    AG_##ID,` and rows `X(SGD, sgd)` make AG_SGD, ..."""
    rows = {m.group(1): re.findall(r"\bX\(\s*(\w+)\s*,", m.group(2))
            for m in re.finditer(r"#define\s+(AG_\w+)\(X\)((?:\\\n|[^\n])*)", raw)}
    prefix = {m.group(1): m.group(2) for m in re.finditer(r"#define\s+(AG_\w+)\([^)]*\)\s*(AG_\w*)##ID", raw)}
    names = []
    for m in re.finditer(r"\{\s*(AG_\w+)\((AG_\w+)\)", raw):
        if m.group(2) in prefix:
            names += [prefix[m.group(2)] + row for row in rows.get(m.group(1), [])]
    return names


def macro_name(code):
    m = re.match(r"#define\s+(AG_\w+)", code)
    return [m.group(1)] if m else []


def page(name, headers, about, incdir, version, date):
    out = [f'.TH {name.upper()} 3 "{date}" "libautograd {version}" "Library Functions Manual"',
           ".\\\" Generated by man/gen_ref.py from the headers: edit those.",
           ".SH NAME", f"{name} \\- libautograd: {about}", ".SH SYNOPSIS", ".nf",
           ".B #include <autograd/autograd.h>", ".fi", ".SH DESCRIPTION"]
    functions = []
    for h in headers:
        out.append(f".SS {h}")
        group = []

        def flush():
            if not group:
                return
            docs = [p for k, p in group if k in ("doc", "trail")]
            code = [p for k, p in group if k in ("decl", "macro")]
            if code:
                out.append(".PP\n.nf")
                for c in code:
                    c = re.sub(r"[ \t]+", " ", c) if "\n" not in c else c
                    out.append(roff(c))
                out.append(".fi")
            for d in docs:
                out.append(".PP")
                out.append(roff(d))
            group.clear()

        raw = open(os.path.join(incdir, h)).read()
        functions += x_macro_constants(raw)
        undefined = set(re.findall(r"#undef\s+(\w+)", raw))  # helpers, not the API
        for kind, payload in items(os.path.join(incdir, h)):
            if kind == "intro":
                out.append(".PP")
                out.append(roff(payload))
            elif kind == "section":
                flush()
                out.append(f".SS {roff(payload)}")
            elif kind == "doc":
                flush()
                group.append((kind, payload))
            elif kind == "trail":
                group.append((kind, payload))
            else:
                names = names_in(payload) + types_in(payload) if kind == "decl" else macro_name(payload)
                functions += [n for n in names if n not in undefined]
                group.append((kind, payload))
                # a declaration followed by its doc: keep one group until next doc
        flush()
    out.append(".SH SEE ALSO")
    others = [p for p, _, _ in PAGES if p != name]
    out.append(",\n".join(f".BR {p} (3)" for p in ["autograd"] + others))
    return "\n".join(out) + "\n", functions


def main():
    incdir, main_page, outdir = sys.argv[1], sys.argv[2], sys.argv[3]
    api = open(os.path.join(incdir, "ag_api.h")).read()
    version = re.search(r'AG_VERSION_STRING "([^"]+)"', api).group(1)
    th = open(main_page).readline()
    date = re.search(r'"(\d{4}-\d\d-\d\d)"', th).group(1)
    man3 = os.path.join(outdir, "man3")
    os.makedirs(man3, exist_ok=True)
    for old in os.listdir(man3):  # a name removed from the headers loses its page
        if old.startswith(("ag_", "AG_")) and old.endswith(".3"):
            os.remove(os.path.join(man3, old))
    home = {}  # function -> the page that describes it
    for name, headers, about in PAGES:
        text, functions = page(name, headers, about, incdir, version, date)
        for path in (os.path.join(outdir, name + ".3"), os.path.join(man3, name + ".3")):
            with open(path, "w") as f:
                f.write(text)
        for fn in functions:
            home.setdefault(fn, name)
    main_text = open(main_page).read()
    with open(os.path.join(man3, "autograd.3"), "w") as f:
        f.write(main_text)
    # functions only autograd(3) describes (written \fBag_name\fR( there)
    for fn in re.findall(r"\\fB(ag_\w+)\\fR\s*\(", main_text.replace("\\_", "_")):
        home.setdefault(fn, "autograd")
    # the version macros, which autograd(3)'s VERSIONS describes
    for name in re.findall(r"^\.BR? (AG_VERSION_\w+)", main_text, re.M):
        home.setdefault(name, "autograd")
    for fn, name in sorted(home.items()):
        with open(os.path.join(man3, fn + ".3"), "w") as f:
            f.write(f".so man3/{name}.3\n")


main()
