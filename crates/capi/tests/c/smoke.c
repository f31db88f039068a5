/* The C library from C: compiled against include/esehdr.h and libesehdr, run by .ci/bindings
 * (under valgrind or the address sanitizer).
 *
 *   smoke DATABASE CORRUPT_DATABASE NOT_ESE LOG_BASE PLAN_DIR LOG_FILE RECOVERY_DB RECOVERY_LOGS
 *         CREATE_LOGS OUTDIR
 *
 * Checks the exit codes, the JSON and esehdr_last_error of every entry point, and writes the
 * JSON of each call to OUTDIR (mh-db.json, mh-corrupt.json, inspect-notese.json, stream.json,
 * plan.json, mk.json, records.jsonl, dry-run.json, dry-run-nodb.status), which .ci/bindings
 * compares byte for byte with the CLI's --json, and recover.json (the recovery of CREATE_LOGS,
 * logs that create their database, into OUTDIR/recover.dat), which it compares with the CLI's
 * but for `seconds` and `output`. */
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
    if (argc != 11) {
        fprintf(stderr,
                "usage: %s DATABASE CORRUPT NOT_ESE LOG_BASE PLAN_DIR LOG_FILE RECOVERY_DB RECOVERY_LOGS CREATE_LOGS OUTDIR\n",
                argv[0]);
        return 2;
    }
    const char *db = argv[1], *corrupt = argv[2], *notese = argv[3], *base = argv[4], *dir = argv[5];
    const char *log = argv[6], *rdb = argv[7], *rlogs = argv[8], *clogs = argv[9];
    outdir = argv[10];
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

    /* The records of a log: JSON Lines, one object per line, exit code 0. */
    rc = esehdr_records_json(log, 0, &json);
    CHECK(rc == 0 && json != NULL && json[0] == '{' && strstr(json, "}\n{\"lgpos\":") != NULL);
    CHECK(json != NULL && strlen(json) > 0 && json[strlen(json) - 1] == '\n');
    CHECK(esehdr_last_error() == NULL);
    if (json) save("records.jsonl", json);
    char *records_w = NULL;
    uint16_t *log_w = wide(log);
    rc = esehdr_records_json_w(log_w, 0, &records_w);
    CHECK(rc == 0 && json && records_w && strcmp(json, records_w) == 0);
    free(log_w);
    esehdr_free(records_w);
    esehdr_free(json);
    /* A database is not a log: exit code 2, no JSON (the CLI prints none), its line. */
    json = (char *)1;
    rc = esehdr_records_json(db, 0, &json);
    CHECK(rc == 2 && json == NULL && strstr(err_or_empty(), "not a readable log") != NULL);

    /* The recovery dry run of a database and its logs; then without the database. */
    rc = esehdr_dry_run_json(rdb, rlogs, NULL, 0, &json);
    CHECK((rc == 0 || rc == 1) && json != NULL && strstr(json, "\"verdict\": \"would_") != NULL);
    if (json) save("dry-run.json", json);
    char *dry_w = NULL;
    uint16_t *rdb_w = wide(rdb), *rlogs_w = wide(rlogs);
    int rc_w = esehdr_dry_run_json_w(rdb_w, rlogs_w, rlogs_w, 0, &dry_w);
    CHECK(rc_w == rc && json && dry_w && strcmp(json, dry_w) == 0);
    free(rdb_w);
    free(rlogs_w);
    esehdr_free(dry_w);
    esehdr_free(json);
    json = (char *)1;
    rc = esehdr_dry_run_json(NULL, rlogs, NULL, 0, &json);
    {
        char status[64];
        snprintf(status, sizeof status, "%d %s\n", rc, json ? "json" : "nojson");
        save("dry-run-nodb.status", status);
    }
    CHECK((rc == 2 && json == NULL && esehdr_last_error() != NULL) || ((rc == 0 || rc == 1) && json != NULL));
    if (rc != 2) esehdr_free(json);
    rc = esehdr_dry_run_json(rdb, NULL, NULL, 0, &json);
    CHECK(rc == -1 && json == NULL && strstr(err_or_empty(), "logs") != NULL);
    rc = esehdr_dry_run_json(rdb, rlogs, NULL, 0x1, &json);
    CHECK(rc == -1 && json == NULL && strstr(err_or_empty(), "flags") != NULL);

    /* Recovery on a copy: logs that create their database, into OUTDIR/recover.dat. */
    char copy[4096];
    snprintf(copy, sizeof copy, "%s/recover.dat", outdir);
    remove(copy);
    rc = esehdr_recover_json(NULL, clogs, copy, NULL, NULL, 0, &json);
    CHECK(rc == 0 && esehdr_last_error() == NULL);
    CHECK(json != NULL && strstr(json, "\"ok\": true") != NULL && strstr(json, "\"error\": null") != NULL);
    CHECK(json != NULL && strstr(json, "\"created\": true") != NULL);
    CHECK(json != NULL && strstr(json, "\"state\": \"clean_shutdown\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"bad_checksums\": 0") != NULL && strstr(json, "\"seconds\": ") != NULL);
    CHECK(json != NULL && strstr(json, copy) != NULL);
    if (json) save("recover.json", json);
    esehdr_free(json);
    {
        FILE *f = fopen(copy, "rb");
        CHECK(f != NULL);
        if (f) fclose(f);
    }
    /* The copy exists: refused (exit code 2, no JSON, the CLI's line); replaced with ESEHDR_FORCE. */
    json = (char *)1;
    rc = esehdr_recover_json(NULL, clogs, copy, NULL, NULL, 0, &json);
    CHECK(rc == 2 && json == NULL && strstr(err_or_empty(), "exists; give --force to replace it") != NULL);
    uint16_t *clogs_w = wide(clogs), *copy_w = wide(copy);
    rc = esehdr_recover_json_w(NULL, clogs_w, copy_w, NULL, NULL, ESEHDR_FORCE, &json);
    CHECK(rc == 0 && json != NULL && strstr(json, "\"ok\": true") != NULL && esehdr_last_error() == NULL);
    esehdr_free(json);
    free(clogs_w);
    free(copy_w);
    /* A bad --until: exit code 2; flags other than ESEHDR_FORCE: -1; no logs: -1. */
    rc = esehdr_recover_json(NULL, clogs, copy, NULL, "not a position", ESEHDR_FORCE, &json);
    CHECK(rc == 2 && json == NULL && strstr(err_or_empty(), "--until") != NULL);
    rc = esehdr_recover_json(NULL, clogs, copy, NULL, NULL, ESEHDR_HEADERS_ONLY, &json);
    CHECK(rc == -1 && json == NULL && strstr(err_or_empty(), "flags") != NULL);
    rc = esehdr_recover_json(NULL, NULL, copy, NULL, NULL, 0, &json);
    CHECK(rc == -1 && json == NULL && strstr(err_or_empty(), "logs") != NULL);
    remove(copy);

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
