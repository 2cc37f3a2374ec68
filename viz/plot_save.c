/* plot_save.c — savefig: the figure drawn by plot_draw_figure into a PNG,
 * SVG or PDF surface in memory, in a forked child (so that GLib's abort on a
 * failed allocation ends the child, not the session), then written to the
 * file by the session in one place (write_figure_file, atomically:
 * src/util/atomic_file.h).  The three
 * formats share the drawing, so they look alike; SVG and PDF keep lines and
 * text as vectors. */
#include "plot_internal.h"
#include "array.h"
#include "atomic_file.h"
#include "graph_contain.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum { FORMAT_PNG, FORMAT_SVG, FORMAT_PDF, FORMAT_OTHER } figure_format;

/* By the extension after the last dot of the last path component; none
 * means PNG. */
static figure_format format_of(const char *filename) {
    const char *dot = strrchr(filename, '.');
    const char *slash = strrchr(filename, '/');
    if (dot == NULL || (slash != NULL && dot < slash) || dot == filename ||
        (slash != NULL && dot == slash + 1))
        return FORMAT_PNG;
    if (strcasecmp(dot, ".png") == 0) return FORMAT_PNG;
    if (strcasecmp(dot, ".svg") == 0) return FORMAT_SVG;
    if (strcasecmp(dot, ".pdf") == 0) return FORMAT_PDF;
    return FORMAT_OTHER;
}

/* The bytes Cairo writes, gathered in memory. */
typedef struct byte_buffer {
    unsigned char *bytes;
    size_t size, capacity;
    bool failed;
} byte_buffer;

static bool buffer_append(byte_buffer *buffer, const void *data, size_t length) {
    if (buffer->failed) return false;
    if (length == 0) return true;
    if (!ARRAY_RESERVE(buffer->bytes, buffer->capacity, buffer->size, length))
        return !(buffer->failed = true);
    memcpy(buffer->bytes + buffer->size, data, length);
    buffer->size += length;
    return true;
}

static cairo_status_t write_to_buffer(void *closure, const unsigned char *data, unsigned int length) {
    return buffer_append(closure, data, length) ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_NO_MEMORY;
}

/* Appends name to text after "; heading" for the first of its kind
 * (first = true) or ", " for the next. */
static bool describe_name(byte_buffer *text, const char *heading, bool first, const char *name) {
    const char *before = !first ? ", " : text->size > 0 ? "; " : "";
    return buffer_append(text, before, strlen(before)) &&
           (!first || buffer_append(text, heading, strlen(heading))) &&
           buffer_append(text, name, strlen(name));
}

/* What the figure shows, as text: "series: loss; paths: sgd, adam; marks:
 * minimum".  For SVG's <desc> and the PDF's subject: SVG draws text as
 * glyph shapes, so this is where its words can be found. */
static bool describe_figure(const viz_plot *plot, byte_buffer *text) {
    bool ok = true;
    for (size_t k = 0; k < plot->series_count && ok; k++)
        ok = describe_name(text, "series: ", k == 0, plot->series[k].name);
    for (size_t k = 0; k < plot->path_count && ok; k++)
        ok = describe_name(text, "paths: ", k == 0, plot->paths[k].name);
    for (size_t k = 0; k < plot->mark_count && ok; k++)
        ok = describe_name(text, "marks: ", k == 0, plot->marks[k].label);
    return ok && buffer_append(text, "", 1); /* the NUL */
}

/* text with &, < and > escaped for XML, appended to out. */
static bool append_escaped(byte_buffer *out, const char *text) {
    for (; *text != '\0'; text++) {
        const char *entity = *text == '&' ? "&amp;" : *text == '<' ? "&lt;" : *text == '>' ? "&gt;" : NULL;
        if (!(entity ? buffer_append(out, entity, strlen(entity)) : buffer_append(out, text, 1)))
            return false;
    }
    return true;
}

/* Puts <title> and <desc> right after the <svg ...> opening tag. */
static bool add_svg_metadata(const viz_plot *plot, byte_buffer *svg, const char *description) {
    const char *start = NULL;
    for (size_t i = 0; i + 4 < svg->size; i++)
        if (memcmp(svg->bytes + i, "<svg", 4) == 0) {
            start = (const char *)svg->bytes + i;
            break;
        }
    const char *close = start ? memchr(start, '>', svg->size - (size_t)(start - (char *)svg->bytes)) : NULL;
    if (close == NULL) return true; /* not Cairo's usual output: leave it */
    size_t head = (size_t)(close + 1 - (const char *)svg->bytes);
    byte_buffer out = {0};
    bool ok = buffer_append(&out, svg->bytes, head) && buffer_append(&out, "\n<title>", 8) &&
              append_escaped(&out, plot->title != NULL ? plot->title : "agrepl plot") &&
              buffer_append(&out, "</title>\n<desc>", 15) && append_escaped(&out, description) &&
              buffer_append(&out, "</desc>", 7) &&
              buffer_append(&out, svg->bytes + head, svg->size - head);
    if (!ok) {
        free(out.bytes);
        return false;
    }
    free(svg->bytes);
    *svg = out;
    return true;
}

/* Writes size bytes to filename, all or (with the reason) nothing: a
 * temporary file beside it, renamed over it only once complete, so a failed
 * savefig leaves an earlier figure of that name as it was. */
static int write_figure_file(const char *filename, const unsigned char *bytes, size_t size,
                             char err[VIZ_ERRLEN]) {
    if (write_file_atomic(filename, bytes, size) < 0)
        return plot_fail(err, "cannot write '%s': %s", filename, atomic_file_strerror(filename, errno));
    return 0;
}

/* The figure in `format`, width x height, into buffer; false when Cairo
 * failed (out of memory) or the drawing was interrupted (*stopped). */
static bool render_figure(viz_plot *plot, figure_format format, int width, int height,
                          const char *description, byte_buffer *buffer, bool *stopped) {
    cairo_surface_t *surface;
    if (format == FORMAT_SVG) {
        surface = cairo_svg_surface_create_for_stream(write_to_buffer, buffer, width, height);
        cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PX);
    } else if (format == FORMAT_PDF) {
        surface = cairo_pdf_surface_create_for_stream(write_to_buffer, buffer, width, height);
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE,
                                       plot->title != NULL ? plot->title : "agrepl plot");
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT, description);
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "agrepl");
    } else {
        surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    }
    cairo_t *cr = cairo_create(surface);
    *stopped = !plot_draw_figure(plot, cr, width, height);
    cairo_status_t status = cairo_status(cr);
    cairo_destroy(cr);
    if (status == CAIRO_STATUS_SUCCESS && format == FORMAT_PNG)
        status = cairo_surface_write_to_png_stream(surface, write_to_buffer, buffer);
    cairo_surface_finish(surface); /* SVG and PDF are written out here */
    if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    return status == CAIRO_STATUS_SUCCESS && !buffer->failed && !*stopped;
}

void viz_plot_set_interrupt(viz_plot *plot, const volatile sig_atomic_t *flag) {
    if (plot != NULL) plot->interrupt = flag;
}

/* What the child draws: the figure in its format, with the SVG's metadata. */
typedef struct figure_job {
    viz_plot *plot;
    figure_format format;
    bool for_page; /* a notebook's page (plot_figure_size), not a file */
} figure_job;

/* Runs in the child (viz_contained_drawing): the axes the drawing laid out
 * (plot->axes, which the parent keeps for viz_plot_data_to_pixel), then the
 * file's bytes; or NULL with err.  A Ctrl-C there ends the child; the
 * parent reports it. */
static unsigned char *draw_figure_bytes(void *arg, size_t *size, char err[VIZ_ERRLEN]) {
    figure_job *job = arg;
    int width, height;
    plot_figure_size(job->plot, job->for_page, &width, &height);
    byte_buffer description = {0}, figure = {0};
    bool stopped = false;
    bool ok = (job->format == FORMAT_PNG || describe_figure(job->plot, &description)) &&
              render_figure(job->plot, job->format, width, height,
                            description.bytes != NULL ? (const char *)description.bytes : "", &figure,
                            &stopped) &&
              (job->format != FORMAT_SVG ||
               add_svg_metadata(job->plot, &figure, (const char *)description.bytes));
    free(description.bytes);
    /* the figure's axes, then its sheets' (panel=) in their order */
    const size_t block = sizeof job->plot->axes, blocks = 1 + (size_t)job->plot->sheet_count;
    unsigned char *reply = ok ? malloc(block * blocks + figure.size) : NULL;
    if (reply == NULL) {
        free(figure.bytes);
        plot_fail(err, stopped ? "interrupted" : "out of memory drawing the figure");
        return NULL;
    }
    memcpy(reply, job->plot->axes, block);
    for (int k = 0; k < job->plot->sheet_count; k++)
        memcpy(reply + block * (1 + (size_t)k), job->plot->sheets[k]->axes, block);
    if (figure.size > 0) memcpy(reply + block * blocks, figure.bytes, figure.size);
    free(figure.bytes);
    *size = block * blocks + figure.size;
    return reply;
}

/* The figure's bytes, drawn in a forked child (graph_contain.h): GLib under
 * Pango aborts the process when an allocation fails, and there that is the
 * child's end, "out of memory" here.  NULL with err; *interrupted when a
 * Ctrl-C stopped it. */
static unsigned char *figure_bytes(viz_plot *plot, figure_format format, bool for_page, size_t *size,
                                   bool *interrupted, char err[VIZ_ERRLEN]) {
    figure_job job = {plot, format, for_page};
    size_t got = 0;
    unsigned char *bytes = viz_contained_drawing(draw_figure_bytes, &job, &got, err);
    *interrupted = bytes == NULL && plot->interrupt != NULL && *plot->interrupt;
    const size_t block = sizeof plot->axes, axes_size = block * (1 + (size_t)plot->sheet_count);
    if (bytes != NULL && got < axes_size) { /* (never: the child sends them first) */
        free(bytes);
        plot_fail(err, "the drawing came back cut short");
        return NULL;
    }
    if (bytes == NULL) return NULL;
    memcpy(plot->axes, bytes, block);
    for (int k = 0; k < plot->sheet_count; k++) memcpy(plot->sheets[k]->axes, bytes + block * (1 + (size_t)k), block);
    *size = got - axes_size;
    memmove(bytes, bytes + axes_size, *size);
    return bytes;
}

unsigned char *viz_plot_file_bytes(viz_plot *plot, const char *filename, size_t *size, char err[VIZ_ERRLEN],
                                   int *status) {
    *status = -1;
    if (plot == NULL) return plot_fail(err, "no figure"), NULL;
    if (filename == NULL || filename[0] == '\0') return plot_fail(err, "savefig needs a file name"), NULL;
    figure_format format = format_of(filename);
    if (format == FORMAT_OTHER) {
        plot_fail(err, "cannot write '%s': the name must end in .png, .svg or .pdf", filename);
        return NULL;
    }
    bool interrupted;
    unsigned char *bytes = figure_bytes(plot, format, false, size, &interrupted, err);
    if (bytes == NULL && interrupted) {
        plot_fail(err, "interrupted: '%s' was not written", filename);
        *status = -2;
    }
    if (bytes != NULL) *status = 0;
    return bytes;
}

int viz_plot_savefig(viz_plot *plot, const char *filename, char err[VIZ_ERRLEN]) {
    size_t size = 0;
    int status;
    unsigned char *bytes = viz_plot_file_bytes(plot, filename, &size, err, &status);
    if (bytes == NULL) return status;
    status = write_figure_file(filename, bytes, size, err);
    free(bytes);
    return status;
}

unsigned char *viz_plot_png(viz_plot *plot, size_t *size, char err[VIZ_ERRLEN]) {
    if (plot == NULL) {
        plot_fail(err, "no figure");
        return NULL;
    }
    bool interrupted;
    /* the page's size (narrower than savefig's for two panels or more) at
     * any zoom, so :zoom makes the text bigger on the page (a notebook shows
     * an image at most its output's width: a figure zoom times larger would
     * be shrunk back to it, its text as small as before) */
    unsigned char *bytes = figure_bytes(plot, FORMAT_PNG, true, size, &interrupted, err);
    if (bytes == NULL && interrupted) plot_fail(err, "interrupted");
    return bytes;
}
