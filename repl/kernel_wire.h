/* kernel_wire.h — the Jupyter messaging protocol's wire format (5.3) over
 * ZeroMQ for the kernel front end (kernel.c): the connection file, the five
 * sockets, reading a message (identities, "<IDS|MSG>", HMAC-SHA256
 * signature, header, parent header, metadata, content) with its signature
 * checked, and signing and sending replies and iopub messages.  JSON is
 * jansson's, HMAC OpenSSL's libcrypto, sockets libzmq's. */
#ifndef REPL_KERNEL_WIRE_H
#define REPL_KERNEL_WIRE_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/* One received message.  The identity frames are kept as they came, to
 * address the reply; the JSON parts are parsed. */
typedef struct kernel_msg {
    int nids;
    char **ids;
    size_t *id_lengths;
    json_t *header, *parent, *metadata, *content;
    const char *type; /* header.msg_type, "" when missing */
} kernel_msg;

typedef struct kernel_wire {
    void *zmq;
    void *shell, *control, *iopub, *stdin_socket, *heartbeat;
    unsigned char key[512];
    size_t key_length; /* 0: messages are neither signed nor checked */
    char session[37];  /* this kernel's session id (a UUID) */
    pthread_mutex_t send_lock; /* iopub is written by the shell and control threads */
    /* the signatures of the messages taken in this session (a replayed
       message is dropped, as jupyter_client's digest_history does): the
       first 16 bytes of each, open addressing, in two tables: new ones go
       into `seen`, which becomes `seen_old` once half full (the older
       `seen_old` forgotten), so the last half table's worth are always
       remembered */
    pthread_mutex_t seen_lock;
    struct seen_digest { uint64_t high, low; } *seen, *seen_old;
    size_t seen_count;
} kernel_wire;

/* Reads the connection file and binds the five sockets to the address it
 * gives (transport, ip, ports).  0, or -1 with a message in error. */
int kernel_wire_open(kernel_wire *w, const char *connection_file, char *error, size_t n);
/* Closes every socket but the heartbeat's (their last messages still go
 * out, within their linger) and shuts the ZeroMQ context down, so that the
 * heartbeat's proxy returns (ETERM) in its own thread.  A socket must not be
 * closed while another thread is inside a call on it: the heartbeat's is
 * closed by kernel_wire_close once that thread has been joined. */
void kernel_wire_stop(kernel_wire *w);
/* Closes the sockets still open and ends the ZeroMQ context; after
 * kernel_wire_stop and the heartbeat thread's end (or when no thread uses
 * the sockets). */
void kernel_wire_close(kernel_wire *w);

/* Receives one message from socket (which has one waiting).  0 with *m
 * filled; -1 when it is malformed or its signature is wrong: it is dropped
 * and said so on stderr. */
int kernel_wire_recv(kernel_wire *w, void *socket, kernel_msg *m);
void kernel_msg_free(kernel_msg *m);

/* Sends a message of `type` with `content` (taken over) to socket, in reply
 * to parent (its identities address it on a ROUTER socket; NULL: none).
 * On iopub the topic is the type.  0 or -1. */
int kernel_wire_send(kernel_wire *w, void *socket, const kernel_msg *parent, const char *type,
                     json_t *content);
/* The same, with metadata (taken over; NULL = {}). */
int kernel_wire_send_meta(kernel_wire *w, void *socket, const kernel_msg *parent, const char *type,
                          json_t *content, json_t *metadata);

/* A fresh UUID4 string into out[37]. */
void kernel_uuid(char out[37]);

#endif
