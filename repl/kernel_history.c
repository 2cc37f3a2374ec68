/* kernel_history.c — the cells a kernel ran with store_history, and the
 * answer to history_request from them (kernel_history.h). */
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "kernel_history.h"
#include "ptrmap.h"

/* The cells this session ran with store_history, for history_request: the
 * execution count, the source and the result's text (NULL: none), cut to
 * HISTORY_OUTPUT_MAX bytes; both texts in one allocation, the source's
 * (about 50 bytes a short cell, as the :save log's statement). */
#define HISTORY_OUTPUT_MAX 2000
/* The session number history entries carry (0 in a request is this one too). */
#define HISTORY_SESSION 1

typedef struct history_entry {
    int count;
    char *input;        /* malloc'd, with the output after it */
    const char *output; /* in input's allocation, or NULL */
} history_entry;

static history_entry *history;
static size_t history_count, history_capacity;

void kernel_history_add(int count, const char *input, const char *result, size_t result_length) {
    if (!ARRAY_RESERVE(history, history_capacity, history_count, 1)) return;
    size_t n = 0, input_length = strlen(input);
    if (result != NULL) {
        n = result_length;
        if (n > HISTORY_OUTPUT_MAX) { /* cut at a character, "..." after it */
            n = HISTORY_OUTPUT_MAX;
            while (n > 0 && ((unsigned char)result[n] & 0xc0) == 0x80) n--;
        }
    }
    char *text = malloc(input_length + 1 + (result != NULL ? n + 5 : 0));
    if (text == NULL) return;
    memcpy(text, input, input_length + 1);
    history_entry e = {.count = count, .input = text};
    if (result != NULL) {
        char *output = text + input_length + 1;
        memcpy(output, result, n);
        strcpy(output + n, n < result_length ? " ..." : "");
        e.output = output;
    }
    history[history_count++] = e;
}

void kernel_history_free(void) {
    for (size_t i = 0; i < history_count; i++) free(history[i].input);
    free(history);
    history = NULL;
    history_count = history_capacity = 0;
}

static json_t *history_item(const history_entry *e, bool with_output) {
    if (with_output)
        return json_pack("[i, i, [s, s?]]", HISTORY_SESSION, e->count, e->input, e->output);
    return json_pack("[i, i, s]", HISTORY_SESSION, e->count, e->input);
}

/* An integer field of the request, or fallback when it is missing or null. */
static json_int_t int_field(const json_t *content, const char *key, json_int_t fallback) {
    json_t *v = json_object_get(content, key);
    return json_is_integer(v) ? json_integer_value(v) : fallback;
}

/* The sources a unique search took, for telling in about one comparison
 * whether a match's source was taken already (a quadratic search took 5e7
 * comparisons over 10,000 distinct cells): a ptrmap from a source's hash to
 * the last source taken with that hash, each taken source chained to the
 * one taken before it with the same hash. */
typedef struct source_set {
    ptrmap by_hash;
    struct taken_source {
        const char *text;
        size_t before; /* the source taken before with the same hash, or PTRMAP_NONE */
    } *taken;
    size_t count, capacity;
} source_set;

/* The ptrmap key of a source: its 64-bit FNV-1a hash, never 0 nor 1
 * (ptrmap's empty and removed slots). */
static const void *source_key(const char *text) {
    uint64_t hash = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) hash = (hash ^ *p) * 1099511628211ull;
    return (const void *)(uintptr_t)(hash << 2 | 2);
}

/* Room for `most` sources, so that source_set_add cannot fail; false when
 * out of memory. */
static bool source_set_reserve(source_set *set, size_t most) {
    if (most == 0) return true;
    set->taken = malloc(most * sizeof *set->taken);
    if (set->taken == NULL || !ptrmap_reserve(&set->by_hash, most)) {
        free(set->taken);
        set->taken = NULL;
        return false;
    }
    set->capacity = most;
    return true;
}

/* Takes text when no equal source was taken before (true), else false.
 * Past the room reserved, it takes nothing (false). */
static bool source_set_add(source_set *set, const char *text) {
    if (set->count >= set->capacity) return false;
    const void *key = source_key(text);
    size_t first = ptrmap_get(&set->by_hash, key);
    for (size_t k = first; k != PTRMAP_NONE; k = set->taken[k].before)
        if (strcmp(set->taken[k].text, text) == 0) return false;
    set->taken[set->count] = (struct taken_source){.text = text, .before = first};
    ptrmap_put(&set->by_hash, key, set->count++); /* reserved: cannot fail */
    return true;
}

static void source_set_free(source_set *set) {
    ptrmap_free(&set->by_hash);
    free(set->taken);
    memset(set, 0, sizeof *set);
}

json_t *kernel_history_items(const json_t *c, int execution_count) {
    const char *type = json_string_value(json_object_get(c, "hist_access_type"));
    bool with_output = json_is_true(json_object_get(c, "output"));
    json_t *items = json_array();
    if (type != NULL && strcmp(type, "tail") == 0) {
        json_int_t n = int_field(c, "n", (json_int_t)history_count);
        size_t from = n <= 0 ? history_count : (size_t)n >= history_count ? 0 : history_count - (size_t)n;
        for (size_t i = from; i < history_count; i++) json_array_append_new(items, history_item(&history[i], with_output));
    } else if (type != NULL && strcmp(type, "range") == 0) {
        json_int_t session_number = int_field(c, "session", 0);
        /* IPython's line numbers: the execution counts; its n counts line 0 too */
        json_int_t n = (json_int_t)execution_count + 1;
        json_int_t start = int_field(c, "start", 1), stop = int_field(c, "stop", 0);
        if (start < 0) start += n;
        if (stop == 0 || stop > n) stop = n;
        else if (stop < 0) stop += n;
        if (session_number == 0 || session_number == HISTORY_SESSION)
            for (size_t i = 0; i < history_count; i++)
                if (history[i].count >= start && history[i].count < stop)
                    json_array_append_new(items, history_item(&history[i], with_output));
    } else if (type != NULL && strcmp(type, "search") == 0) {
        const char *pattern = json_string_value(json_object_get(c, "pattern"));
        json_int_t n = int_field(c, "n", -1);
        bool unique = json_is_true(json_object_get(c, "unique"));
        if (pattern == NULL) pattern = "*";
        /* newest first, up to n, then turned around */
        json_t *found = json_array();
        size_t most = n >= 0 && (json_int_t)history_count > n ? (size_t)n : history_count;
        source_set taken = {0};
        if (unique && !source_set_reserve(&taken, most)) unique = false; /* out of memory: every match */
        size_t ntaken = 0;
        for (size_t i = history_count; i-- > 0 && ntaken < most;) {
            const history_entry *e = &history[i];
            if (fnmatch(pattern, e->input, FNM_NOESCAPE) != 0) continue;
            if (unique && !source_set_add(&taken, e->input)) continue; /* a later run was taken */
            ntaken++;
            json_array_append_new(found, history_item(e, with_output));
        }
        for (size_t i = json_array_size(found); i-- > 0;) json_array_append(items, json_array_get(found, i));
        json_decref(found);
        source_set_free(&taken);
    }
    return items;
}
