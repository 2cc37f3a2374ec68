/* npz_web.c — load_npz in the web page: src/npy.c (built with AG_NPZ_WEB)
 * hands an archive's bytes to the page's unzip (repl/web/unzip.js, given to
 * the module as Module.agUnzip by agrepl-worker.js) and reads back its
 * members, packed in one malloc'd block as src/npy.c describes. */
#include <emscripten.h>
#include <stddef.h>

EM_JS(unsigned char *, web_unzip, (const void *bytes, size_t size, size_t *length), {
    var got = Module.agUnzip(HEAPU8.slice(bytes, bytes + size));
    var encoder = new TextEncoder(), parts = [], total = 0;
    function number(n) {
        var b = new Uint8Array(4);
        new DataView(b.buffer).setUint32(0, n, true);
        parts.push(b);
        total += 4;
    }
    function piece(b) {
        if (typeof b === 'string') b = encoder.encode(b);
        number(b.length);
        parts.push(b);
        total += b.length;
    }
    if (got.error !== undefined) {
        number(1);
        piece(got.error);
    } else {
        number(0);
        number(got.members.length);
        got.members.forEach(function(m) {
            number(m.error !== undefined ? 1 : 0);
            piece(m.name);
            piece(m.error !== undefined ? m.error : m.data);
        });
    }
    var out = _malloc(total > 0 ? total : 1);
    if (!out) return 0;
    var at = out;
    parts.forEach(function(p) { HEAPU8.set(p, at); at += p.length; });
    HEAPU32[length >> 2] = total;
    return out;
});

unsigned char *ag_web_unzip(const void *bytes, size_t size, size_t *length) {
    return web_unzip(bytes, size, length);
}
