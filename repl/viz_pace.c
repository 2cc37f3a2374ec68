/* viz_pace.c — pace(fps) and :pace: loops that plot or track are slowed to
 * fps frames a second, so a person can watch them (viz_session.h). */
#include <math.h>
#include <stdint.h>
#include <time.h>

#include "viz_session.h"

#define PACE_SLOWEST 0.1
#define PACE_FASTEST 1000.0

static uint64_t name_hash(char kind, const char *name) {
    uint64_t hash = (1469598103934665603u ^ (unsigned char)kind) * 1099511628211u; /* FNV-1a */
    for (; *name != '\0'; name++) hash = (hash ^ (unsigned char)*name) * 1099511628211u;
    return hash;
}

/* Shows the frame that just ended, then waits until `deadline_ms`, keeping
 * the windows live, in short sleeps that a Ctrl-C cuts short (the statement
 * then stops as usual).  The drawing is part of the frame's time: a frame
 * lasts 1/N s whatever it took to draw, as long as that is less. */
static void end_frame(repl_viz *v, double deadline_ms) {
    if (repl_viz_any_window_open(v)) repl_viz_serve_in_loop(v);
    while (!repl_interrupted) {
        double remaining = deadline_ms - repl_viz_precise_ms();
        if (remaining <= 0) break;
        if (remaining > 10) remaining = 10;
        struct timespec pause = {0, (long)(remaining * 1e6)};
        nanosleep(&pause, NULL); /* EINTR on Ctrl-C: the loop sees the flag */
    }
}

/* With a pace of N frames a second, called by plot ('s') and track ('p')
 * with the series' or path's name: a frame ends when one comes back (a
 * loop's next step), and the next may start only 1/N s after the last.
 * Each frame's end draws the windows once; in between, repl_viz_pacing
 * keeps the loop's other services from drawing. */
void repl_viz_paced_draw(repl *r, char kind, const char *name) {
    repl_viz *v = repl_get_viz(r);
    if (v == NULL || !(r->settings.pace_fps > 0)) return;
    /* nothing is drawn here (headless, --no-files, no display): nothing to
     * watch, so nothing to wait for */
    if (r->io.display == NULL && !repl_viz_any_window_open(v)) return;
    uint64_t hash = name_hash(kind, name);
    bool repeated = false;
    for (int i = 0; i < v->frame_name_count && !repeated; i++) repeated = v->frame_names[i] == hash;
    double interval = 1000.0 / r->settings.pace_fps, now = repl_viz_precise_ms();
    if (v->frame_start_ms == 0 || now - v->frame_start_ms > interval + 1000) {
        /* the first frame, or the loop paused (a prompt, a long step): no wait */
        v->frame_start_ms = now;
        v->frame_name_count = 0;
    } else if (repeated || v->frame_name_count == (int)(sizeof v->frame_names / sizeof v->frame_names[0])) {
        double deadline = v->frame_start_ms + interval;
        end_frame(v, deadline);
        now = repl_viz_precise_ms();
        /* steady frames: the next is timed from this one's deadline, unless late */
        v->frame_start_ms = now - deadline < interval ? deadline : now;
        v->frame_name_count = 0;
    }
    v->frame_names[v->frame_name_count++] = hash;
}

/* pace(fps): plot and track loops are slowed to fps frames a second; 0 or
 * false turns it off; pace() returns the pace set (0: off). */
int repl_builtin_pace(repl *r, const builtin_args *a, repl_value *out) {
    double fps = 0;
    if (a->values[0].kind == VALUE_NIL) { /* pace(): the pace set, as :pace says it */
        *out = value_number(r->settings.pace_fps);
        return 0;
    }
    if (a->values[0].kind == VALUE_BOOL) {
        if (a->values[0].as.boolean)
            return repl_error(r, "pace: give frames a second (pace(30)), or 0 or false for off");
    } else if (arg_number(r, a, 0, &fps) < 0) {
        return -1;
    }
    return repl_viz_set_pace(r, fps) < 0 ? -1 : 0;
}

bool repl_viz_pacing(const repl *r, const repl_viz *v) {
    if (!(r->settings.pace_fps > 0) || v->frame_start_ms == 0) return false;
    double interval = 1000.0 / r->settings.pace_fps;
    return repl_viz_precise_ms() - v->frame_start_ms <= interval + 1000; /* as paced_draw's pause */
}

int repl_viz_set_pace(repl *r, double fps) {
    char shown[AG_NUMBUF];
    /* below 0.1 a loop would sleep for minutes a frame; above 1000 the
     * frames are shorter than a window takes to draw */
    if (!isfinite(fps) || (fps != 0 && (fps < PACE_SLOWEST || fps > PACE_FASTEST)))
        return repl_error(r, "pace: frames a second must be from 0.1 to 1000 (or 0 for off), not %s",
                          ag_format_display(fps, 0, shown));
    r->settings.pace_fps = fps;
    repl_viz *v = repl_get_viz(r);
    if (v != NULL) v->frame_start_ms = 0;
    return 0;
}
