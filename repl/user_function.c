/* user_function.c — the lifetime of user functions and of the parsed chunks
 * they keep alive: the bottom floor of repl/ with the values (value.c drops
 * a VALUE_FUNCTION's reference here), below the evaluator and the session. */
#include <stdlib.h>

#include "ast.h"
#include "session_state.h"

void repl_chunk_release(repl_chunk *chunk) {
    if (chunk == NULL || --chunk->refcount > 0) return;
    ast_free(chunk->program);
    free(chunk->source);
    free(chunk->filename);
    free(chunk);
}

void user_function_release(user_function *f) {
    if (f == NULL || --f->refcount > 0) return;
    repl_chunk_release(f->chunk);
    free(f->binds);
    free(f->name);
    free(f);
}
