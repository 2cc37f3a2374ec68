/* ag_format.h — numbers and variables as text, upstream's formats. */
#ifndef AG_FORMAT_H
#define AG_FORMAT_H

#include "ag_core.h"

AG_BEGIN_DECLS

#define AG_NUMBUF 40
/* Bytes ag_shape_string may write: "[" + AG_MAX_DIMS numbers + "]". */
#define AG_SHAPEBUF (16 + 12 * AG_MAX_DIMS)

/* Go's %v of a float64: shortest decimal that reads back to the same double;
 * exponent form when the decimal exponent is < -4 or >= 6
 * ("1e+06", "1e-05", "1.23456789e+08"), "+Inf", "-Inf",
 * "NaN", "-0".  With digits > 0, rounds to that many significant digits
 * first (what is shown, not what is stored).  buf needs AG_NUMBUF bytes. */
char *ag_format_double(double v, int digits, char *buf);

/* ag_format_double, except that a whole number below 2^53 prints whole
 * ("1868122", not "1.868122e+06"; with digits, after rounding): what the
 * REPL and the graphs show.  buf needs AG_NUMBUF bytes. */
char *ag_format_display(double v, int digits, char *buf);

/* "variable(0.5)", "x(0.5)", "variable[2 3]([1 2 3 4 5 6])".  Returns a
 * malloc'd string the caller frees, or NULL when out of memory. */
char *ag_var_string(const ag_var *v, int digits);
/* ag_var_string with the numbers in ag_format_display's form. */
char *ag_var_display(const ag_var *v, int digits);
/* "[2 3]" into buf (AG_SHAPEBUF bytes); returns buf. */
char *ag_shape_string(int ndim, const int *shape, char *buf);
/* The graph that made y as Graphviz DOT text, as DeZero's get_dot_graph:
 * each variable an orange ellipse labelled with its name (verbose adds its
 * shape: "x: [2 3]"), each function a light blue box labelled as
 * ag_func_label gives it ("Sin", "Pow(2)", a user op's name), edges from
 * inputs to the function and from it to its outputs.  `dot -Tpng` draws it.
 * A malloc'd string the caller frees; NULL for NULL, or when out of memory
 * (y's context error set then). */
char *ag_dot(const ag_var *y, bool verbose);

AG_END_DECLS

#endif
