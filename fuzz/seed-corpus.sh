#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ (gitignored) with starting inputs from testdata/, for every target
# (or the ones named: seed-corpus.sh db_header page). Safe to rerun: what earlier runs found stays.
#   db_header, sniff:          the first 64 KiB of every testdata/db file, every corrupt sample,
#                              the first 8 KiB of every testdata/logs file
#   log_header, checkpoint:    every testdata/logs file (first 8 KiB) and the corrupt logs/checkpoints
#   log_content:               every whole log of testdata/logs and the corrupt logs
#   page:                      pages 2..5 of every testdata/db file (page size from le_cbPageSize)
#   records, dry_run:          every whole log of testdata/logs, and of ../shared/corpus when present
#   records_v7, records_v8:    the bytes after the 4 KiB header of every v7 (CatRoot2) / v8 (SRUM)
#                              log of testdata/logs (the targets put a real header in front)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
testdata="$here/../testdata"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(db_header log_header checkpoint sniff log_content page plan records records_v7 records_v8 dry_run redo page_ops)
corpus="$here/../../shared/corpus"

seed() { # seed TARGET NAME FILE [BYTES]
    local out="$here/corpus/$1"
    mkdir -p "$out"
    if [ -n "${4:-}" ]; then head -c "$4" "$3" >"$out/$2"; else cp "$3" "$out/$2"; fi
}

page_size() { # le_cbPageSize at 0xEC (0 means 4096)
    local v
    v=$(od -An -tu4 -j236 -N4 "$1" | tr -d ' ')
    [ "$v" = 0 ] && v=4096
    echo "$v"
}

for t in "${targets[@]}"; do
    n=0
    case "$t" in
    db_header | sniff)
        for f in "$testdata"/db/*; do seed "$t" "db-$(basename "$f")" "$f" 65536; n=$((n + 1)); done
        for f in "$testdata"/corrupt/*; do
            case "$(basename "$f")" in MANIFEST.tsv) continue ;; esac
            seed "$t" "corrupt-$(basename "$f")" "$f" 65536; n=$((n + 1))
        done
        for f in "$testdata"/logs/*/*; do seed "$t" "log-$(basename "$(dirname "$f")")-$(basename "$f")" "$f" 8192; n=$((n + 1)); done
        ;;
    log_header | checkpoint)
        for f in "$testdata"/logs/*/* "$testdata"/corrupt/*.log "$testdata"/corrupt/*.chk; do
            seed "$t" "$(basename "$(dirname "$f")")-$(basename "$f")" "$f" 8192; n=$((n + 1))
        done
        ;;
    log_content)
        for f in "$testdata"/logs/*/*.log "$testdata"/corrupt/*.log; do
            seed "$t" "$(basename "$(dirname "$f")")-$(basename "$f")" "$f"; n=$((n + 1))
        done
        ;;
    page)
        for f in "$testdata"/db/*; do
            ps=$(page_size "$f")
            for k in 2 3 4 5; do
                out="$here/corpus/page"
                mkdir -p "$out"
                dd if="$f" of="$out/$(basename "$f")-page$k" bs="$ps" skip="$k" count=1 status=none
                [ -s "$out/$(basename "$f")-page$k" ] && n=$((n + 1)) || rm -f "$out/$(basename "$f")-page$k"
            done
        done
        ;;
    page_ops)
        # Byte 0 = 1 (4 KiB pages), a real page of the Server 2022 SRUM database, then operations.
        out="$here/corpus/page_ops"
        mkdir -p "$out"
        for k in 2 5 9 20 30; do
            f="$out/srum-page$k"
            { printf '\001'; dd if="$testdata/db/srum-server2022-clean.dat" bs=4096 skip=$((k + 1)) count=1 status=none
              printf '\000\000\010abcdefgh\002\001\000\010\003\000\000'; } >"$f"
            n=$((n + 1))
        done
        ;;
    plan)
        # Bytes steer a synthetic stream: any file is a fine start.
        for f in "$testdata"/corrupt/*.edb; do seed "$t" "$(basename "$f")" "$f" 400; n=$((n + 1)); done
        ;;
    records | dry_run | redo)
        for f in "$testdata"/logs/*/*.log; do
            seed "$t" "$(basename "$(dirname "$f")")-$(basename "$f")" "$f"; n=$((n + 1))
        done
        if [ -d "$corpus" ]; then
            # Whole logs of the corpus up to the 140000 bytes CI lets libFuzzer read.
            while IFS= read -r -d '' f; do
                [ "$(wc -c <"$f")" -le 140000 ] || continue
                seed "$t" "corpus-$(echo "$f" | md5sum | cut -c1-8)-$(basename "$f")" "$f"; n=$((n + 1))
            done < <(find "$corpus" -iname '*.log' -type f -print0)
        fi
        ;;
    records_v7 | records_v8)
        [ "$t" = records_v7 ] && dir=catroot2-server2003 || dir=srum-*
        for f in "$testdata"/logs/$dir/*.log; do
            out="$here/corpus/$t"
            mkdir -p "$out"
            tail -c +4097 "$f" >"$out/$(basename "$(dirname "$f")")-$(basename "$f")-records"
            n=$((n + 1))
        done
        ;;
    *) echo "seed-corpus.sh: unknown target $t" >&2; exit 2 ;;
    esac
    if [ "$n" -lt 5 ]; then
        echo "seed-corpus.sh: only $n seed files for $t under $testdata" >&2
        exit 1
    fi
    echo "seed-corpus.sh: $n seed files for $t"
done
