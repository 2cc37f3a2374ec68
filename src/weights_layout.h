/* weights_layout.h — the tensors a model's weights are saved as (PyTorch's
 * names and layout), for src/safetensors.c; weights_layout.c has the table. */
#ifndef AG_WEIGHTS_LAYOUT_H
#define AG_WEIGHTS_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "ag_model.h"
#include "ag_rand.h"

#define LAYOUT_MAX_DIMS 8

/* One parameter's share of a saved tensor. */
typedef struct {
    int param;       /* the model's parameter index (ag_model_param) */
    bool transposed; /* saved as its transpose: PyTorch's (out, in) */
    bool summed;     /* PyTorch's second bias (bias_hh): saved as zeros,
                        added to the parameter when loaded */
} layout_part;

/* A saved tensor: its name and shape, made of its parts in order. */
typedef struct {
    char name[160];
    int ndim;
    int shape[LAYOUT_MAX_DIMS];
    int nparts;
    layout_part parts[4];
} layout_tensor;

typedef struct {
    ag_ctx *ctx;
    layout_tensor *tensors;
    int count, capacity;
} layout;

/* PyTorch's names and layout for m's parameters (every parameter in exactly
 * one tensor); 0, or -1 when out of memory.  Free with layout_free. */
int layout_torch(const ag_model *m, layout *l);
/* The layout of files written before 1.2: one tensor per parameter, named
 * with dots ("linear.0.w"), in its own shape. */
int layout_legacy(const ag_model *m, layout *l);
void layout_free(layout *l);
/* A cnn's layers in order (*specs, owned by m): their count, 0 for the
 * other kinds (models.c). */
int model_layer_specs(const ag_model *m, const ag_layer_spec **specs);
/* A model's units (models.c), for load to make lazy weights from a file:
 * their count, unit i's weight (NULL while lazy), its input size when the
 * model's sizes fix it (else 0), making it for `in` inputs (0 or -1 with
 * the error set), dropping it again, and the generator drawing them. */
int model_unit_count(const ag_model *m);
ag_var *model_unit_weight(const ag_model *m, int i);
int model_unit_known_in(const ag_model *m, int i);
int model_unit_make(ag_model *m, int i, int in);
void model_unit_unmake(ag_model *m, int i);
ag_rng *model_rng(ag_model *m);
/* "linear[0].w" -> "linear.0.w" into out (n bytes). */
void layout_dotted(const char *name, char *out, size_t n);
size_t layout_size(const layout_tensor *t);
/* t's numbers, row-major, from the parameters (out holds layout_size(t)). */
void layout_gather(const ag_model *m, const layout_tensor *t, double *out);
/* t's numbers into values[param] of each part's parameter. */
void layout_scatter(const ag_model *m, const layout_tensor *t, const double *in, double **values);

#endif
