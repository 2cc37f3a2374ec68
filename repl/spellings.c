/* spellings.c — the names PyTorch and NumPy spell otherwise, and what each
 * is here: the hints of "unknown name" and "no attribute" errors
 * (repl_internal.h, "eval.c": eval_other_spelling).  Error-message
 * knowledge, not evaluation: eval.c, access.c, call.c and commands.c ask it. */
#include "repl_internal.h"

#include <stddef.h>
#include <string.h>

/* What a class coming from PyTorch or NumPy types first, and what it is
 * here: no near spelling exists ("tensor" got no hint, "np" got 'ne',
 * "nn" 'ne', "MSELoss" nothing), or the near one is not what they mean
 * ("no_grad" is a block here, not a function).  `of`: "" for a name, else
 * the kind of value whose x.NAME it answers ("variable", or an object
 * type's name: "model", "optimizer"). */
static const struct {
    const char *name, *hint, *of;
} other_spellings[] = {
    {"tensor", "variable([...]) makes a tensor here, as PyTorch's torch.tensor", ""},
    {"array", "variable([...]) makes an array here, as NumPy's np.array", ""},
    {"torch", "there are no modules here: torch.NAME is NAME (torch.tensor is variable, torch.sin is sin)", ""},
    {"np", "there are no modules here: np.NAME is NAME (np.array is variable, np.sin is sin)", ""},
    {"numpy", "there are no modules here: np.NAME is NAME (np.array is variable, np.sin is sin)", ""},
    {"F", "there are no modules here: F.NAME is NAME (F.relu is relu, F.mse_loss is mse)", ""},
    {"nn", "there are no modules here: nn.Linear is linear_layer(out), a stack of them mlp([16, 1]), "
           "nn.MSELoss() is mse", ""},
    {"optim", "there are no modules here: optim.SGD is sgd, optim.Adam is adam (:help optimizers)", ""},
    {"Linear", "linear_layer(out) is PyTorch's nn.Linear (its input size comes from the first call); "
               "mlp([16, 1]) stacks them", ""},
    {"Sequential", "mlp([16, 16, 1], activation=tanh) stacks linear layers; cnn([...]) conv layers, "
                   "then linear ones (:help models)", ""},
    {"MSELoss", "mse(y, t) is the loss here (PyTorch's nn.MSELoss()(y, t))", ""},
    {"mse_loss", "mse(y, t) is the loss here (PyTorch's F.mse_loss(y, t))", ""},
    {"cross_entropy_loss", "cross_entropy(logits, labels) is the loss here (PyTorch's F.cross_entropy)", ""},
    {"CrossEntropyLoss", "cross_entropy(logits, labels) is the loss here (PyTorch's nn.CrossEntropyLoss)", ""},
    {"BCELoss", "binary_cross_entropy(p, t) is the loss here (PyTorch's nn.BCELoss)", ""},
    {"BCEWithLogitsLoss", "binary_cross_entropy_with_logits(x, t) is the loss here (PyTorch's "
                          "nn.BCEWithLogitsLoss)", ""},
    {"bce_with_logits", "binary_cross_entropy_with_logits(x, t) is the loss here", ""},
    {"l1_loss", "mean(abs(y - t)) is the L1 loss (PyTorch's F.l1_loss)", ""},
    {"L1Loss", "mean(abs(y - t)) is the L1 loss (PyTorch's nn.L1Loss)", ""},
    {"mae", "mean(abs(y - t)) is the mean absolute error", ""},
    {"hinge", "mean(relu(1 - t * y)) is the hinge loss, for t of -1 and 1 (moons_svm's lesson)", ""},
    {"hinge_loss", "mean(relu(1 - t * y)) is the hinge loss, for t of -1 and 1 (moons_svm's lesson)", ""},
    {"DataLoader", "for xb, tb in batches(x, t, size=32) { } walks minibatches here (PyTorch's and DeZero's "
                   "DataLoader)", ""},
    {"digits", ":load digits_data gives the 8x8 digits as digits_x (1797, 64) and digits_t (digits.ag's "
               "data); or load_csv(lesson_data(\"digits_shuffled.csv\"), target=64)", ""},
    {"load_digits", ":load digits_data gives the 8x8 digits as digits_x (1797, 64) and digits_t "
                    "(scikit-learn's load_digits)", ""},
    {"cat", "concat(xs, axis=0) joins tensors here (torch.cat, np.concatenate)", ""},
    {"concatenate", "concat(xs, axis=0) joins tensors here (torch.cat, np.concatenate)", ""},
    {"manual_seed", "seed(n) seeds the random numbers here (torch.manual_seed)", ""},
    {"no_grad", "nograd { ... } is a block here, as PyTorch's with torch.no_grad():", ""},
    {"zero_grad", "cleargrad(x, ...) forgets gradients here; a model's m.cleargrads() and an optimizer's "
                  "o.zero_grad() forget their parameters' gradients", ""},
    {"detach", "x.data is x's numbers without a graph (PyTorch's x.detach())", "variable"},
    {"retain_grad", "y.backward(retain_grad=true) keeps the gradient of every variable y depends on, not only "
                    "the leaves' (PyTorch's retain_grad() on each)", "variable"},
    {"clone", "variable(x) is a new leaf with a copy of x's numbers (PyTorch's x.clone().detach())", "variable"},
    {"view", "x.reshape(...) gives x's numbers a new shape (PyTorch's view)", "variable"},
    {"permute", "x.transpose(...) takes the new order of every axis (PyTorch's permute)", "variable"},
    {"t", "x.T transposes a matrix (PyTorch's x.t())", "variable"},
    {"numel", "x.size is the number of elements (PyTorch's numel())", "variable"},
    {"dim", "x.ndim is the number of axes (PyTorch's dim())", "variable"},
    {"zero_grad", "x.cleargrad() forgets x's gradient (PyTorch's zero_grad on a model or optimizer)", "variable"},
    {"zero_", "x.grad = none (or x.cleargrad()) clears a gradient; x.data = zeros_like(x) sets x's numbers to 0", "variable"},
    {"float", "every number here is a float64 and comparisons give 0/1 tensors, so no conversion is needed: (a == b).mean()", "variable"},
    {"double", "every number here is a float64 and comparisons give 0/1 tensors, so no conversion is needed: (a == b).mean()", "variable"},
    {"int", "every number here is a float64 and comparisons give 0/1 tensors, so no conversion is needed: (a == b).mean()", "variable"},
    {"long", "class labels need no conversion: every number here is a float64, and cross_entropy takes labels as they are", "variable"},
    {"to", "there is no device or dtype to move to: every tensor here is float64 in memory", "variable"},
    {"cpu", "there is no device or dtype to move to: every tensor here is float64 in memory", "variable"},
    {"cuda", "there is no device or dtype to move to: every tensor here is float64 in memory", "variable"},
    {"numpy", "x.data is x's numbers without a graph; save_npy(\"x.npy\", x) writes them for NumPy", "variable"},
    {"tolist", "x is its own list: for v in x { } walks its elements or rows, x[i] reads one, x.item() "
               "a one-element x's number", "variable"},
    {"requires_grad", "every variable gets a gradient here but constants, which get none: a literal in an op, a data "
                      "set or a loaded file (variable(x) is a copy that gets one), "
                      "and nograd { } records no graph", "variable"},
    {"requires_grad_", "every variable gets a gradient here but constants, which get none: a literal in an op, a "
                       "data set or a loaded file (variable(x) is a copy that gets one), "
                       "and nograd { } records no graph", "variable"},
    {"parameters", "m.params holds its parameters by name (PyTorch's parameters() and named_parameters()); "
                   "an optimizer takes it whole: adam(m.params)", "model"},
    {"named_parameters", "m.params.items() gives the [name, parameter] pairs (for name, p in m.params.items() "
                         "{ }); an optimizer takes m.params whole: adam(m.params)", "model"},
    {"forward", "m(x) runs the model (PyTorch's forward)", "model"},
    {"eval", "testmode { ... } turns dropout off inside (PyTorch's m.eval())", "model"},
    {"train", "dropout is on outside testmode { ... } (PyTorch's m.train())", "model"},
    {"state_dict", "save(m, \"m.safetensors\") and load(m, file) write and read its weights", "model"},
    {"load_state_dict", "save(m, \"m.safetensors\") and load(m, file) write and read its weights", "model"},
    /* a keyword of a built-in: `of` is its name and "(" */
    {"gradient", "backward seeds y's gradient with ones; (2 * y).backward() seeds 2 (PyTorch's gradient=)",
     "backward("},
    {"inputs", "grad(y, x) gives the gradient of y with respect to x alone (PyTorch's inputs=)", "backward("},
    {"retain_graph", "the graph stays after a backward here (its gradients add up until cleargrad): "
                     "no retain_graph needed", "backward("},
    {"batch_size", "size= is the batch size (PyTorch's DataLoader(batch_size=))", "batches("},
    {"batch_size", "size= is the batch size", "seq_batches("},
    {"param_groups", "o.lr is the learning rate, and o.lr = 0.01 sets it (PyTorch's "
                     "param_groups[0][\"lr\"])", "optimizer"},
};

int eval_other_spelling_names(const char *of, const char **names, int max) {
    int n = 0;
    for (size_t i = 0; i < sizeof other_spellings / sizeof other_spellings[0] && n < max; i++)
        if (of[0] != '\0' && strcmp(of, other_spellings[i].of) == 0) names[n++] = other_spellings[i].name;
    return n;
}

const char *eval_other_spelling(const char *name, const char *of) {
    for (size_t i = 0; i < sizeof other_spellings / sizeof other_spellings[0]; i++)
        if (strcmp(of, other_spellings[i].of) == 0 && strcmp(name, other_spellings[i].name) == 0)
            return other_spellings[i].hint;
    return NULL;
}
