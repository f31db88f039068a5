/* The C library from C: compiled against include/esehdr.h and libesehdr, run by .ci/bindings
 * (under valgrind or the address sanitizer).
 *
 *   smoke DATABASE CORRUPT_DATABASE NOT_ESE LOG_BASE PLAN_DIR OUTDIR
 *
 * Checks the exit codes, the JSON and esehdr_last_error of every entry point, and writes the
 * JSON of each call to OUTDIR (mh-db.json, mh-corrupt.json, inspect-notese.json, stream.json,
 * plan.json, mk.json), which .ci/bindings compares byte for byte with the CLI's --json. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esehdr.h"

static int passed, failed;

#define CHECK(cond)                                                             \
    do {                                                                        \
        if (cond) {                                                             \
            passed++;                                                           \
        } else {                                                                \
            failed++;                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                       \
    } while (0)

static const char *outdir;

static void save(const char *name, const char *json) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", outdir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs(json, f);
    fclose(f);
}

/* ASCII to UTF-16, enough for the test paths. */
static uint16_t *wide(const char *s) {
    size_t n = strlen(s);
    uint16_t *w = malloc((n + 1) * sizeof *w);
    for (size_t i = 0; i <= n; i++) w[i] = (unsigned char)s[i];
    return w;
}

static const char *err_or_empty(void) {
    const char *e = esehdr_last_error();
    return e ? e : "";
}

static void *failing_call(void *path) {
    char *json = NULL;
    int rc = esehdr_inspect_json((const char *)path, 0, &json);
    int ok = rc == 2 && esehdr_last_error() != NULL;
    esehdr_free(json);
    return ok ? (void *)1 : NULL;
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s DATABASE CORRUPT NOT_ESE LOG_BASE PLAN_DIR OUTDIR\n", argv[0]);
        return 2;
    }
    const char *db = argv[1], *corrupt = argv[2], *notese = argv[3], *base = argv[4], *dir = argv[5];
    outdir = argv[6];
    char *json = NULL;
    int rc;

    CHECK(ESEHDR_JSON_CONTRACT_VERSION == 1);
    CHECK(esehdr_version() != NULL && strchr(esehdr_version(), '.') != NULL);

    /* A clean database: exit code 0, the mh object, no message. */
    rc = esehdr_mh_json(db, 0, &json);
    CHECK(rc == 0);
    CHECK(json != NULL && strstr(json, "\"state\": \"clean_shutdown\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"valid\": true") != NULL);
    CHECK(esehdr_last_error() == NULL);
    if (json) save("mh-db.json", json);

    /* The same through the UTF-16 entry point. */
    char *json_w = NULL;
    uint16_t *db_w = wide(db);
    rc = esehdr_mh_json_w(db_w, 0, &json_w);
    CHECK(rc == 0 && json && json_w && strcmp(json, json_w) == 0);
    free(db_w);
    esehdr_free(json_w);
    esehdr_free(json);

    /* No valid header copy: exit code 1, the report with valid false, the CLI's message. */
    rc = esehdr_mh_json(corrupt, 0, &json);
    CHECK(rc == 1);
    CHECK(json != NULL && strstr(json, "\"valid\": false") != NULL);
    CHECK(strstr(err_or_empty(), "ESE database with no valid header copy") != NULL);
    if (json) save("mh-corrupt.json", json);
    esehdr_free(json);

    /* Not ESE: exit code 2, {file, kind, reason}, the message names the file. */
    rc = esehdr_inspect_json(notese, 0, &json);
    CHECK(rc == 2);
    CHECK(json != NULL && strstr(json, "\"kind\": \"not_ese\"") != NULL);
    CHECK(strncmp(err_or_empty(), notese, strlen(notese)) == 0);
    if (json) save("inspect-notese.json", json);
    esehdr_free(json);

    /* A database given to mk: refused (exit 2) with the CLI's sentence. */
    rc = esehdr_mk_json(db, 0, &json);
    CHECK(rc == 2 && strstr(err_or_empty(), "not a checkpoint") != NULL);
    if (json) save("mk.json", json);
    esehdr_free(json);

    /* Every page checksum, read in chunks. */
    rc = esehdr_k_json(db, ESEHDR_NO_MMAP, &json);
    CHECK(rc == 0 && json != NULL && strstr(json, "\"ok\": true") != NULL);
    esehdr_free(json);

    /* A log stream and a restore plan. */
    rc = esehdr_stream_json(base, 0, &json);
    CHECK((rc == 0 || rc == 1) && json != NULL && strstr(json, "\"base_name\"") != NULL);
    if (json) save("stream.json", json);
    esehdr_free(json);
    rc = esehdr_plan_json(dir, 0, &json);
    CHECK((rc == 0 || rc == 1) && json != NULL && strstr(json, "\"streams\"") != NULL);
    if (json) save("plan.json", json);
    esehdr_free(json);

    /* A folder that cannot be listed: exit code 2, no JSON (the CLI prints none), a message. */
    json = (char *)1;
    rc = esehdr_stream_json("no-such-folder/E00", ESEHDR_HEADERS_ONLY, &json);
    CHECK(rc == 2 && json == NULL && esehdr_last_error() != NULL);

    /* Misuse: -1 with a message, never a crash. */
    rc = esehdr_mh_json(NULL, 0, &json);
    CHECK(rc == -1 && json == NULL && strstr(err_or_empty(), "NULL") != NULL);
    rc = esehdr_mh_json(db, 0x100, &json);
    CHECK(rc == -1 && json == NULL && strstr(err_or_empty(), "flags") != NULL);
    rc = esehdr_plan_json(dir, ESEHDR_EXPECT_POINT_IN_TIME | ESEHDR_EXPECT_ROLL_FORWARD, &json);
    CHECK(rc == -1 && json == NULL);
    rc = esehdr_mh_json(db, 0, NULL);
    CHECK(rc == -1);
    esehdr_free(NULL);

    /* The message is per thread: a failing call on another thread leaves this one's alone. */
    rc = esehdr_mh_json(db, 0, &json);
    esehdr_free(json);
    CHECK(rc == 0 && esehdr_last_error() == NULL);
    pthread_t t;
    void *ok = NULL;
    CHECK(pthread_create(&t, NULL, failing_call, (void *)notese) == 0);
    CHECK(pthread_join(t, &ok) == 0 && ok != NULL);
    CHECK(esehdr_last_error() == NULL);

    printf("C binding: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
