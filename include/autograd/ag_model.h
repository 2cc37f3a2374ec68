/* ag_model.h — layers and models: linear, RNN and LSTM layers; MLP, LSTM,
 * RNN and single-linear models (upstream's layer and model packages).
 *
 * A model is a malloc'd object tied to one context.  It owns its parameters
 * (leaf variables flagged AG_VAR_PARAM and named "w" or "b") and, for the
 * recurrent kinds, the hidden state between steps: all of them are retained
 * (ag_retain) so ag_gc keeps them, and released when the model is freed or
 * the state is reset.  A model may outlive its context (ag_ctx_free): it then
 * has no parameters and can only be unreferenced.
 *
 * Weights are made lazily from the first input's last dimension as
 * randn(in, out) / sqrt(in), drawn row-major from the model's own generator
 * (seeded at construction, so the same seed gives the same weights on every
 * machine); biases start as zeros [1, out].  The recurrent weights h2* are
 * drawn at construction (in order h2f, h2i, h2o, h2u), the input weights at
 * the first call (x2f, x2i, x2o, x2u, then the output layer), as upstream. */
#ifndef AG_MODEL_H
#define AG_MODEL_H

#include "ag_core.h"

AG_BEGIN_DECLS

typedef struct ag_model ag_model;

typedef enum ag_model_kind {
    AG_MODEL_MLP,        /* linear[0] .. linear[n-1], activation between */
    AG_MODEL_LSTM,       /* lstm layer, then linear */
    AG_MODEL_RNN,        /* rnn layer, then linear */
    AG_MODEL_LINEAR,     /* one linear layer: params "w", "b" */
    AG_MODEL_LSTM_LAYER, /* a bare LSTM layer: params "h2f.w" .. "x2u.w" */
    AG_MODEL_RNN_LAYER,  /* a bare RNN layer: params "h2h.w", "x2h.b", "x2h.w" */
    AG_MODEL_CNN,        /* conv[i], max_pool and linear[j] layers in order, activation between */
    AG_MODEL_CONV2D,     /* one conv2d layer: params "w" (OC, C, K, K), "b" (OC) */
    AG_MODEL_MAX_POOL,   /* one max_pool2d layer: no parameters */
    AG_MODEL_BATCH_NORM  /* one batch_norm layer: "w", "b", "running_mean", "running_var" (C) */
} ag_model_kind;

/* One layer of a CNN (ag_cnn): a linear layer of `out` outputs, a conv2d
 * layer of `out` channels with a kernel x kernel window, or a max pool of
 * kernel x kernel (stride 0: the kernel, as PyTorch's default). */
typedef enum ag_layer_type { AG_LAYER_LINEAR, AG_LAYER_CONV2D, AG_LAYER_MAX_POOL } ag_layer_type;
typedef struct ag_layer_spec {
    ag_layer_type type;
    int out;
    int kernel, stride, padding;
} ag_layer_spec;

typedef enum ag_activation {
    AG_ACT_SIGMOID, /* upstream's default */
    AG_ACT_RELU,
    AG_ACT_TANH,
    AG_ACT_GELU
} ag_activation;

/* "sigmoid", "relu", "tanh", "gelu"; NULL when out of range. */
const char *ag_activation_name(ag_activation activation);
/* Parses one of the names above into *out; 0, or -1 when unknown. */
int ag_activation_from_name(const char *name, ag_activation *out);

/* ---- construction ---------------------------------------------------------
 * Each returns a new model (its one owner: release it with ag_model_unref), or NULL with the
 * context error set: "mlp: sizes must be at least 1 (got 0)", "lstm: hidden
 * must be at least 1 (got 0)". */

/* Layers of sizes[0..n) outputs; every layer but the last is followed by the
 * activation.  All weights are made at the first call. */
ag_model *ag_mlp(ag_ctx *ctx, const int *sizes, int n, ag_activation activation, uint64_t seed);
/* An LSTM layer of `hidden` units followed by a linear layer of `out`. */
ag_model *ag_lstm_model(ag_ctx *ctx, int hidden, int out, uint64_t seed);
/* A tanh RNN layer of `hidden` units followed by a linear layer of `out`. */
ag_model *ag_rnn_model(ag_ctx *ctx, int hidden, int out, uint64_t seed);
/* One linear layer y = x @ w (+ b) of `out` outputs. */
ag_model *ag_linear_model(ag_ctx *ctx, int out, bool bias, uint64_t seed);
/* The same with w made now for `in_size` input features (DeZero's in_size=),
 * or at the first call from the input as ag_linear_model when in_size is 0;
 * NULL and the context error for in_size < 0. */
ag_model *ag_linear_model_in_size(ag_ctx *ctx, int out, int in_size, bool bias, uint64_t seed);
/* The bare layers, with upstream's parameter names (no "lstm." prefix). */
ag_model *ag_lstm_layer(ag_ctx *ctx, int hidden, uint64_t seed);
ag_model *ag_rnn_layer(ag_ctx *ctx, int hidden, uint64_t seed);

/* A convolutional network: layers[0..n) in order; every conv2d and linear
 * layer but the last is followed by the activation, a conv2d layer's output
 * goes through the max pools after it, and a 4-D value entering a linear
 * layer is flattened to (N, C*H*W).  Parameters "conv[0].w" (OC, C, K, K),
 * "conv[0].b" (OC), "linear[0].w", ...; all made at the first call from
 * the input (N, C, H, W): w = randn / sqrt(fan_in), b = 0.  The weights
 * then fix the images a call takes (channels, and through the first linear
 * layer's width their size): other ones are AG_ERR_SHAPE, naming the layer
 * built for them.  A linear layer's output is (N, features) and nothing
 * reshapes it back, so every conv2d and max_pool layer comes before the
 * first linear one: a list with one after it can never run and is refused here (NULL, AG_ERR_ARG naming
 * the layer and the order that runs), not at the first call. */
ag_model *ag_cnn(ag_ctx *ctx, const ag_layer_spec *layers, int n, ag_activation activation, uint64_t seed);
/* The check ag_cnn makes of the order, for a caller that words the refusal
 * its own way (agrepl writes the layers as calls to paste): the index of
 * the first conv2d or max_pool layer of layers[0..n) that comes after a
 * linear one, with the index of the first linear layer in *linear (when
 * not NULL); -1 when the order runs (and for layers NULL or n < 1).  When
 * order is not NULL it gets n indices, an order of the layers that runs:
 * the conv2d and max_pool layers as they come, then the linear ones. */
int ag_cnn_misplaced_layer(const ag_layer_spec *layers, int n, int *linear, int *order);
/* A bare conv2d layer (F.conv2d with its own w and b; stride >= 1, padding >= 0)
 * and a bare max_pool2d layer (stride 0: the kernel). */
ag_model *ag_conv2d_layer(ag_ctx *ctx, int out_channels, int kernel, int stride, int padding, uint64_t seed);
ag_model *ag_max_pool_layer(ag_ctx *ctx, int kernel, int stride, int padding);
/* torch.nn.BatchNorm1d/2d of num_features channels (axis 1 of its input (N,
 * C, ...)): parameters w (ones) and b (zeros), and the running statistics
 * running_mean (zeros) and running_var (ones), listed with the parameters but
 * never given a gradient (PyTorch's buffers); in train mode each call
 * normalizes by the batch's statistics and updates the running ones
 * (ag_batch_norm with momentum), in test mode (ag_set_train false) it uses them. */
ag_model *ag_batch_norm_layer(ag_ctx *ctx, int num_features, double momentum, double eps);
/* The layer a bare AG_MODEL_CONV2D or AG_MODEL_MAX_POOL model is, into
 * *spec: 0, or -1 for the other kinds. */
int ag_model_layer_spec(const ag_model *m, ag_layer_spec *spec);

/* Another owner for m (an optimizer bound to it takes one); returns m. */
ag_model *ag_model_ref(ag_model *m);
/* Drops one owner; the last one releases the parameters and the hidden
 * state and frees the model.  NULL is ignored. */
void ag_model_unref(ag_model *m);
void ag_model_free(ag_model *m) AG_DEPRECATED("ag_model_unref (it drops one reference)");

/* ---- use --------------------------------------------------------------- */

/* Runs the model on x (samples, ..., features) and returns the output (not
 * retained), recording the graph as any op does.  Recurrent models advance
 * their hidden state by one step.  Errors (nothing changes): "mlp: input has
 * 3 features but linear[0] was built for 1", an input with fewer than 2
 * dimensions, or a batch that differs from the hidden state's; a first call
 * that fails in a later layer (a cnn's max_pool or conv larger than its
 * image) drops the weights the layers before it made and rewinds the
 * generator, so the next call makes them as a first call does. */
ag_var *ag_model_forward(ag_model *m, ag_var *x);

/* The parameters that exist so far (lazy weights appear after the first
 * call), in sorted name order: "linear[0].b", "linear[0].w", "lstm.h2f.w".
 * ag_model_param returns NULL when i is out of range; *name (when name is
 * not NULL) is owned by the model. */
int ag_model_param_count(const ag_model *m);
ag_var *ag_model_param(const ag_model *m, int i, const char **name);
ag_var *ag_model_param_by_name(const ag_model *m, const char *name); /* NULL when none */
/* The number of scalars in all existing parameters. */
size_t ag_model_param_size(const ag_model *m);
/* false until the first call has made every lazy weight. */
bool ag_model_initialized(const ag_model *m);

/* Clears every parameter's gradient. */
void ag_model_cleargrad(ag_model *m);
void ag_model_cleargrads(ag_model *m) AG_DEPRECATED("ag_model_cleargrad");
/* Forgets the hidden state (h, c) of a recurrent model; no-op otherwise.
 * Until then the state, being retained, keeps the graph of every step since
 * the last reset alive through ag_gc: truncated BPTT cuts it after each
 * window with ag_unchain_backward on the window's loss (or on h). */
void ag_model_reset_state(ag_model *m);

/* ---- weights as files ---------------------------------------------------
 * The format is safetensors, which PyTorch, NumPy and JAX read: an 8-byte
 * little-endian header length, a JSON header {"NAME": {"dtype": "F64",
 * "shape": [...], "data_offsets": [begin, end]}, ...} (padded with spaces to
 * a multiple of 8), then the little-endian doubles.  The tensors are
 * PyTorch's, names and layout, so torch's load_state_dict takes the file as
 * it is: an MLP is a Sequential (linear[k].w, (in, out) here, is "2k.weight",
 * (out, in); linear[k].b is "2k.bias", (out,)); a linear model "weight" and
 * "bias"; an LSTM or RNN model a module with `lstm`/`rnn` (torch.nn.LSTM /
 * RNN's weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, gates in
 * PyTorch's order i, f, g, o) and `linear`; other parameters keep their
 * paths with dots ("conv.0.w").  The metadata names the model's kind and
 * which parameter each tensor holds.  Loading reads that layout, with
 * PyTorch's second bias (bias_hh) added to the one bias per gate here, or
 * the layout written before 1.2 (one tensor per parameter, "linear.0.w").
 * A round trip is bit-exact. */

/* Writes every parameter to path, atomically (a temporary file beside the
 * file, renamed over it when complete), as the shell's `>` would for its
 * user: a symbolic link is followed and the file it names written (a link
 * to nothing is an error), a file with other hard links is written in
 * place, the file's mode, owner and group are kept, a read-only file is
 * an error, a new file gets the umask's mode.  0, or -1 with the error set
 * (AG_ERR_IO for the file; the weights must exist: run the model once;
 * AG_ERR_INTERRUPTED when the context's interrupt flag went up meanwhile,
 * the file as it was). */
int ag_model_save(const ag_model *m, const char *path);
/* Reads path into the model's parameters, each in the file with dtype F64
 * and the same shape.  Weights made at the model's first call (an mlp's,
 * lstm's or cnn's that never ran) are made from the file's shapes, each
 * checked against the model's sizes and layers.  All or nothing: on an
 * error no parameter changes and no weight is made.  0, or -1 with the error set:
 * AG_ERR_SHAPE when a tensor's shape is not its parameter's (the message
 * names the tensor, the parameter and both shapes); AG_ERR_IO for the file
 * (cannot be opened or read, a missing or extra tensor, another dtype, a
 * truncated file, a header length beyond the file or over 100 MB, offsets
 * outside the data); AG_ERR_ARG when the model has no weights at all
 * (a max_pool). */
int ag_model_load(ag_model *m, const char *path);
/* The file ag_model_save would write, in memory: malloc'd (free() it), its
 * length in *size; for a caller that writes files its own way.  NULL with
 * the error set (size NULL, or as ag_model_save). */
unsigned char *ag_model_save_bytes(const ag_model *m, size_t *size);
/* ag_model_load from the file's bytes data[0..size), `name` naming it in
 * messages.  0, or -1 with the error set (data or name NULL, or as
 * ag_model_load). */
int ag_model_load_bytes(ag_model *m, const void *data, size_t size, const char *name);

ag_model_kind ag_model_get_kind(const ag_model *m);
/* "mlp", "lstm", "rnn", "linear_layer", "lstm_layer", "rnn_layer", "cnn",
 * "conv2d_layer", "max_pool", "batch_norm_layer". */
const char *ag_model_kind_name(ag_model_kind kind);
ag_ctx *ag_model_ctx(const ag_model *m);
/* One line: "mlp [10 1] sigmoid, 4 parameters (31 values)" (parameters are
 * variables, as the optimizers count them); before the first call
 * "mlp [10 1] sigmoid, weights made at the first call (their sizes come from
 * its input)"; after ag_ctx_free of its context "mlp [10 1] sigmoid, its
 * context was freed (it can only be freed)".
 * Writes at most n bytes into buf and returns buf. */
char *ag_model_describe(const ag_model *m, char *buf, size_t n);

AG_END_DECLS

#endif
