/* viz_error.h — the one error convention of viz/.
 *
 * A viz function that can fail takes the caller's buffer, `char
 * err[VIZ_ERRLEN]`, as its last argument and returns -1 (or NULL) with a
 * message for the user in it, written without a prefix so the caller can put
 * "render: " or "savefig: " in front, e.g.
 *   cannot write '/nope/loss.png': No such file or directory
 * On success the buffer is left as it was.  err must not be NULL.
 *
 * Not an error of any call: a plot recorded while no window could be shown
 * (the display refused) succeeds, and viz_window_last_error() then tells the
 * session why there is no window. */
#ifndef VIZ_ERROR_H
#define VIZ_ERROR_H

#define VIZ_ERRLEN 256

#endif
