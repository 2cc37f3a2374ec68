/* replay.c — runs files through the fuzz target's entry point
 * (fuzz_repl.c's LLVMFuzzerTestOneInput) without libFuzzer: `make test`
 * builds it with gcc under ASan + UBSan and feeds it tests/fuzz_corpus/, so
 * every input that once crashed stays a test.  Usage: replay FILE...; prints
 * how many ran, status 1 when a file cannot be read (a sanitizer report
 * aborts on its own). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
    int ran = 0, status = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (f == NULL) {
            perror(argv[i]);
            status = 1;
            continue;
        }
        size_t cap = 4096, size = 0, n;
        uint8_t *data = malloc(cap);
        while (data != NULL && (n = fread(data + size, 1, cap - size, f)) > 0) {
            size += n;
            if (size == cap) {
                uint8_t *grown = realloc(data, cap *= 2);
                if (grown == NULL) free(data);
                data = grown;
            }
        }
        if (data == NULL || ferror(f)) {
            fprintf(stderr, "replay: cannot read %s\n", argv[i]);
            status = 1;
        } else {
            LLVMFuzzerTestOneInput(data, size);
            ran++;
        }
        free(data);
        fclose(f);
    }
    printf("fuzz corpus: %d input%s replayed\n", ran, ran == 1 ? "" : "s");
    return status;
}
