/* kernel_wire.c — the Jupyter wire format over ZeroMQ (kernel_wire.h). */
#define _GNU_SOURCE
#include "kernel_wire.h"

#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <zmq.h>

#define DELIMITER "<IDS|MSG>"
/* Identities before the delimiter: ROUTER sockets add one per hop. */
#define MAX_IDS 16
/* Frames of one message at most (identities, delimiter, signature, four
 * dicts, buffers). */
#define MAX_FRAMES 64

void kernel_uuid(char out[37]) {
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1) { /* never expected; still unique enough per process */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        for (int i = 0; i < 16; i++) b[i] = (unsigned char)((ts.tv_nsec >> (i % 4 * 8)) ^ (i * 37) ^ rand());
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

/* ---- the connection file ---------------------------------------------------- */

static void *bind_socket(kernel_wire *w, int type, const char *transport, const char *ip, int port,
                         const char *name, char *error, size_t n) {
    void *s = zmq_socket(w->zmq, type);
    if (s == NULL) {
        snprintf(error, n, "cannot make the %s socket: %s", name, zmq_strerror(zmq_errno()));
        return NULL;
    }
    int linger = 1000;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    char endpoint[512];
    if (strcmp(transport, "ipc") == 0)
        snprintf(endpoint, sizeof endpoint, "ipc://%s-%d", ip, port);
    else
        snprintf(endpoint, sizeof endpoint, "%s://%s:%d", transport, ip, port);
    if (zmq_bind(s, endpoint) != 0) {
        snprintf(error, n, "cannot bind the %s socket to %s: %s", name, endpoint,
                 zmq_strerror(zmq_errno()));
        zmq_close(s);
        return NULL;
    }
    return s;
}

static int port_of(json_t *config, const char *key, char *error, size_t n) {
    json_t *v = json_object_get(config, key);
    if (!json_is_integer(v) || json_integer_value(v) <= 0 || json_integer_value(v) > 65535) {
        snprintf(error, n, "the connection file has no valid \"%s\"", key);
        return -1;
    }
    return (int)json_integer_value(v);
}

int kernel_wire_open(kernel_wire *w, const char *connection_file, char *error, size_t n) {
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->send_lock, NULL);
    pthread_mutex_init(&w->seen_lock, NULL);
    kernel_uuid(w->session);
    json_error_t jerr;
    json_t *config = json_load_file(connection_file, 0, &jerr);
    if (config == NULL) {
        snprintf(error, n, "cannot read the connection file %s: %s (line %d)", connection_file,
                 jerr.text, jerr.line);
        return -1;
    }
    int rc = -1;
    const char *transport = json_string_value(json_object_get(config, "transport"));
    const char *ip = json_string_value(json_object_get(config, "ip"));
    const char *scheme = json_string_value(json_object_get(config, "signature_scheme"));
    const char *key = json_string_value(json_object_get(config, "key"));
    if (transport == NULL) transport = "tcp";
    if (strcmp(transport, "tcp") != 0 && strcmp(transport, "ipc") != 0) {
        snprintf(error, n, "the connection file's transport \"%s\" is neither tcp nor ipc", transport);
        goto done;
    }
    if (ip == NULL || ip[0] == '\0') {
        snprintf(error, n, "the connection file gives no \"ip\" to bind to");
        goto done;
    }
    if (key != NULL && key[0] != '\0') {
        if (scheme != NULL && strcmp(scheme, "hmac-sha256") != 0) {
            snprintf(error, n, "the signature scheme \"%s\" is not supported (only hmac-sha256)", scheme);
            goto done;
        }
        size_t length = strlen(key);
        if (length > sizeof w->key) {
            snprintf(error, n, "the connection file's key is longer than %zu bytes", sizeof w->key);
            goto done;
        }
        memcpy(w->key, key, length);
        w->key_length = length;
    }
    int shell = port_of(config, "shell_port", error, n), control = port_of(config, "control_port", error, n),
        iopub = port_of(config, "iopub_port", error, n), in = port_of(config, "stdin_port", error, n),
        hb = port_of(config, "hb_port", error, n);
    if (shell < 0 || control < 0 || iopub < 0 || in < 0 || hb < 0) goto done;
    if ((w->zmq = zmq_ctx_new()) == NULL) {
        snprintf(error, n, "cannot start ZeroMQ: %s", zmq_strerror(zmq_errno()));
        goto done;
    }
    /* ipc: the socket files are the user's alone (0600), whatever the umask
       and the folder; tcp: said once in the server's log (agrepl(1), JUPYTER) */
    bool ipc = strcmp(transport, "ipc") == 0;
    mode_t mask = umask(ipc ? 077 : 0);
    if (!ipc) {
        umask(mask);
        fprintf(stderr, "agrepl kernel: listening on tcp %s: any local user can connect to these ports and "
                        "read the cells' code and output on iopub; --KernelManager.transport=ipc keeps them "
                        "private\n", ip);
    }
    if ((w->shell = bind_socket(w, ZMQ_ROUTER, transport, ip, shell, "shell", error, n)) == NULL ||
        (w->control = bind_socket(w, ZMQ_ROUTER, transport, ip, control, "control", error, n)) == NULL ||
        (w->iopub = bind_socket(w, ZMQ_PUB, transport, ip, iopub, "iopub", error, n)) == NULL ||
        (w->stdin_socket = bind_socket(w, ZMQ_ROUTER, transport, ip, in, "stdin", error, n)) == NULL ||
        (w->heartbeat = bind_socket(w, ZMQ_ROUTER, transport, ip, hb, "heartbeat", error, n)) == NULL) {
        if (ipc) umask(mask);
        goto done;
    }
    if (ipc) umask(mask);
    rc = 0;
done:
    json_decref(config);
    if (rc < 0) kernel_wire_close(w);
    return rc;
}

void kernel_wire_stop(kernel_wire *w) {
    void **sockets[] = {&w->shell, &w->control, &w->iopub, &w->stdin_socket};
    for (size_t i = 0; i < sizeof sockets / sizeof sockets[0]; i++)
        if (*sockets[i]) {
            zmq_close(*sockets[i]);
            *sockets[i] = NULL;
        }
    if (w->zmq) zmq_ctx_shutdown(w->zmq);
}

void kernel_wire_close(kernel_wire *w) {
    void **sockets[] = {&w->shell, &w->control, &w->iopub, &w->stdin_socket, &w->heartbeat};
    for (size_t i = 0; i < sizeof sockets / sizeof sockets[0]; i++)
        if (*sockets[i]) {
            zmq_close(*sockets[i]);
            *sockets[i] = NULL;
        }
    if (w->zmq) {
        zmq_ctx_term(w->zmq);
        w->zmq = NULL;
    }
    pthread_mutex_destroy(&w->send_lock);
    pthread_mutex_destroy(&w->seen_lock);
    free(w->seen);
    free(w->seen_old);
    w->seen = w->seen_old = NULL;
}

/* ---- signatures ---------------------------------------------------------- */

/* The hex HMAC-SHA256 of the parts, in order, into hex[65]. */
static void sign(const kernel_wire *w, const char *const parts[4], const size_t lengths[4], char hex[65]) {
    hex[0] = '\0';
    if (w->key_length == 0) return;
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t mac_length = 0;
    /* OpenSSL 3's EVP_MAC: HMAC with SHA-256 */
    EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *h = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    bool ok = h != NULL && EVP_MAC_init(h, w->key, w->key_length, params) == 1;
    for (int i = 0; i < 4 && ok; i++) ok = EVP_MAC_update(h, (const unsigned char *)parts[i], lengths[i]) == 1;
    ok = ok && EVP_MAC_final(h, mac, &mac_length, sizeof mac) == 1;
    EVP_MAC_CTX_free(h);
    EVP_MAC_free(hmac);
    if (!ok) return; /* an empty signature: it matches nothing */
    for (size_t i = 0; i < mac_length && i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", mac[i]);
}

/* ---- receiving --------------------------------------------------------------- */

void kernel_msg_free(kernel_msg *m) {
    for (int i = 0; i < m->nids; i++) free(m->ids[i]);
    free(m->ids);
    free(m->id_lengths);
    json_decref(m->header);
    json_decref(m->parent);
    json_decref(m->metadata);
    json_decref(m->content);
    memset(m, 0, sizeof *m);
}

static void drop(const char *why) {
    fprintf(stderr, "agrepl kernel: a message was dropped: %s\n", why);
    fflush(stderr);
}

/* Slots of each table of signatures seen (a power of 2).  A table takes
 * half as many, 32768 messages, before it becomes the older one, so between
 * 32768 and 65536 of the last messages are remembered (jupyter_client keeps
 * 65536 and culls a tenth). */
#define SEEN_SLOTS 65536

/* The hex digit c's value (the signature was checked: 0-9a-f). */
static unsigned hex_value(char c) { return c <= '9' ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10) & 15; }

/* d's slot in table: the one holding d, or the free one where it would go
 * (a table is never more than half full, so there is one). */
static struct seen_digest *seen_slot(struct seen_digest *table, struct seen_digest d) {
    for (size_t i = (size_t)(d.low & (SEEN_SLOTS - 1));; i = (i + 1) & (SEEN_SLOTS - 1)) {
        struct seen_digest *slot = &table[i];
        if ((slot->high == d.high && slot->low == d.low) || (slot->high == 0 && slot->low == 0)) return slot;
    }
}

/* Whether the 64-hex-digit signature was seen before in this session;
 * remembers it when not.  Out of memory for a new table: both tables are
 * asked, and nothing more is remembered. */
static bool seen_before(kernel_wire *w, const char *signature) {
    struct seen_digest d = {0, 0};
    for (int i = 0; i < 16; i++) d.high = d.high << 4 | hex_value(signature[i]);
    for (int i = 16; i < 32; i++) d.low = d.low << 4 | hex_value(signature[i]);
    if (d.high == 0 && d.low == 0) d.low = 1; /* 0 marks a free slot */
    pthread_mutex_lock(&w->seen_lock);
    if (w->seen == NULL || w->seen_count >= SEEN_SLOTS / 2) {
        struct seen_digest *fresh = calloc(SEEN_SLOTS, sizeof *fresh);
        if (fresh != NULL) { /* the full table becomes the older one; the older one is forgotten */
            free(w->seen_old);
            w->seen_old = w->seen;
            w->seen = fresh;
            w->seen_count = 0;
        }
    }
    bool seen = false;
    if (w->seen_old != NULL) {
        struct seen_digest *slot = seen_slot(w->seen_old, d);
        seen = slot->high == d.high && slot->low == d.low;
    }
    if (!seen && w->seen != NULL) {
        struct seen_digest *slot = seen_slot(w->seen, d);
        seen = slot->high == d.high && slot->low == d.low;
        if (!seen && w->seen_count < SEEN_SLOTS / 2) {
            *slot = d;
            w->seen_count++;
        }
    }
    pthread_mutex_unlock(&w->seen_lock);
    return seen;
}

int kernel_wire_recv(kernel_wire *w, void *socket, kernel_msg *m) {
    memset(m, 0, sizeof *m);
    zmq_msg_t frames[MAX_FRAMES];
    int count = 0, more = 1;
    bool too_many = false;
    while (more) {
        zmq_msg_t scratch, *f = count < MAX_FRAMES ? &frames[count] : &scratch;
        zmq_msg_init(f);
        if (zmq_msg_recv(f, socket, 0) < 0) {
            zmq_msg_close(f);
            for (int i = 0; i < count; i++) zmq_msg_close(&frames[i]);
            return -1;
        }
        more = zmq_msg_more(f);
        if (f == &scratch) {
            too_many = true;
            zmq_msg_close(f);
        } else {
            count++;
        }
    }
    int rc = -1, delimiter = -1;
    for (int i = 0; i < count && i <= MAX_IDS; i++)
        if (zmq_msg_size(&frames[i]) == strlen(DELIMITER) &&
            memcmp(zmq_msg_data(&frames[i]), DELIMITER, strlen(DELIMITER)) == 0) {
            delimiter = i;
            break;
        }
    if (too_many) {
        drop("too many frames");
        goto done;
    }
    if (delimiter < 0 || count < delimiter + 6) {
        drop("not a Jupyter message (no <IDS|MSG> delimiter or missing parts)");
        goto done;
    }
    const char *parts[4];
    size_t lengths[4];
    for (int i = 0; i < 4; i++) {
        parts[i] = zmq_msg_data(&frames[delimiter + 2 + i]);
        lengths[i] = zmq_msg_size(&frames[delimiter + 2 + i]);
    }
    if (w->key_length > 0) {
        char expected[65];
        sign(w, parts, lengths, expected);
        const zmq_msg_t *given = &frames[delimiter + 1];
        if (zmq_msg_size(given) != 64 || CRYPTO_memcmp(zmq_msg_data((zmq_msg_t *)given), expected, 64) != 0) {
            drop("its HMAC-SHA256 signature is wrong");
            goto done;
        }
        /* a captured message sent again is not run again */
        if (seen_before(w, expected)) {
            drop("it repeats a message already received in this session (a replay)");
            goto done;
        }
    }
    json_t *dicts[4] = {NULL, NULL, NULL, NULL};
    for (int i = 0; i < 4; i++) {
        json_error_t jerr;
        dicts[i] = json_loadb(parts[i], lengths[i], 0, &jerr);
        if (!json_is_object(dicts[i])) {
            for (int k = 0; k <= i; k++) json_decref(dicts[k]);
            drop("a part is not a JSON object");
            goto done;
        }
    }
    m->header = dicts[0];
    m->parent = dicts[1];
    m->metadata = dicts[2];
    m->content = dicts[3];
    m->type = json_string_value(json_object_get(m->header, "msg_type"));
    if (m->type == NULL) m->type = "";
    m->nids = delimiter;
    m->ids = calloc((size_t)(delimiter ? delimiter : 1), sizeof *m->ids);
    m->id_lengths = calloc((size_t)(delimiter ? delimiter : 1), sizeof *m->id_lengths);
    if (m->ids == NULL || m->id_lengths == NULL) {
        m->nids = 0;
        kernel_msg_free(m);
        drop("out of memory");
        goto done;
    }
    for (int i = 0; i < delimiter; i++) {
        size_t length = zmq_msg_size(&frames[i]);
        m->ids[i] = malloc(length ? length : 1);
        if (m->ids[i] == NULL) {
            kernel_msg_free(m);
            drop("out of memory");
            goto done;
        }
        memcpy(m->ids[i], zmq_msg_data(&frames[i]), length);
        m->id_lengths[i] = length;
    }
    rc = 0;
done:
    for (int i = 0; i < count; i++) zmq_msg_close(&frames[i]);
    return rc;
}

/* ---- sending ------------------------------------------------------------------ */

static json_t *new_header(const kernel_wire *w, const char *type) {
    char id[37], date[64];
    kernel_uuid(id);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm utc;
    gmtime_r(&tv.tv_sec, &utc);
    size_t k = strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
    snprintf(date + k, sizeof date - k, ".%06ldZ", (long)tv.tv_usec);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "msg_id", id, "session", w->session, "username",
                     "agrepl", "date", date, "msg_type", type, "version", "5.3");
}

int kernel_wire_send_meta(kernel_wire *w, void *socket, const kernel_msg *parent, const char *type,
                          json_t *content, json_t *metadata) {
    json_t *header = new_header(w, type);
    json_t *parent_header = parent && parent->header ? json_incref(parent->header) : json_object();
    if (metadata == NULL) metadata = json_object();
    if (content == NULL) content = json_object();
    char *text[4] = {NULL, NULL, NULL, NULL};
    json_t *dicts[4] = {header, parent_header, metadata, content};
    int rc = -1;
    for (int i = 0; i < 4; i++)
        if (dicts[i] == NULL || (text[i] = json_dumps(dicts[i], JSON_COMPACT | JSON_ENSURE_ASCII)) == NULL)
            goto done;
    const char *parts[4] = {text[0], text[1], text[2], text[3]};
    size_t lengths[4];
    for (int i = 0; i < 4; i++) lengths[i] = strlen(text[i]);
    char signature[65];
    sign(w, parts, lengths, signature);
    pthread_mutex_lock(&w->send_lock);
    rc = 0;
    if (socket == w->iopub) {
        rc |= zmq_send(socket, type, strlen(type), ZMQ_SNDMORE) < 0;
    } else if (parent) {
        for (int i = 0; i < parent->nids; i++)
            rc |= zmq_send(socket, parent->ids[i], parent->id_lengths[i], ZMQ_SNDMORE) < 0;
    }
    rc |= zmq_send(socket, DELIMITER, strlen(DELIMITER), ZMQ_SNDMORE) < 0;
    rc |= zmq_send(socket, signature, strlen(signature), ZMQ_SNDMORE) < 0;
    for (int i = 0; i < 4; i++) rc |= zmq_send(socket, text[i], lengths[i], i < 3 ? ZMQ_SNDMORE : 0) < 0;
    pthread_mutex_unlock(&w->send_lock);
    rc = rc ? -1 : 0;
done:
    for (int i = 0; i < 4; i++) {
        free(text[i]);
        json_decref(dicts[i]);
    }
    return rc;
}

int kernel_wire_send(kernel_wire *w, void *socket, const kernel_msg *parent, const char *type,
                     json_t *content) {
    return kernel_wire_send_meta(w, socket, parent, type, content, NULL);
}
