#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, `swiftc -sanitize=fuzzer,address`) of the three parsers that read
# what strangers send: the mail gate's MIME reader, the streaming multipart/form-data reader and the CSV
# import's reader. Each target is compiled straight from the source files it fuzzes (they depend on
# Foundation only), so no package is rebuilt with instrumentation.
#
#   scripts/fuzz-parsers.sh [seconds per target]      run each target (default 60 s); fails on a crash,
#                                                     a sanitizer report or an input slower than 10 s
#   scripts/fuzz-parsers.sh --update-corpus [seconds] run, then merge what was found into Fuzz/corpus/
#
# The kept corpus (Fuzz/corpus/<target>/) seeds every run; new finds of a plain run go to a temporary
# folder. A crashing input is written to Fuzz/crashes/ (ignored by git) and named in the output: add it
# to the corpus once fixed, so the next run tries it first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:/opt/swift/bin:$PATH"

update=0
if [ "${1:-}" = "--update-corpus" ]; then update=1; shift; fi
seconds="${1:-${FUZZ_SECONDS:-60}}"
out="${FUZZ_BUILD_DIR:-.build/fuzz}"
mkdir -p "$out" Fuzz/crashes
rm -f "$out"/fuzz-*

build() {
  local name=$1; shift
  # gold warns once per ASan helper symbol; those lines say nothing about our code.
  swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name "Fuzz_$name" "$@" -o "$out/fuzz-$name" 2>&1 \
    | { grep -v "Cannot export local symbol" || true; }
  test -x "$out/fuzz-$name"
}
echo "fuzz: building targets" >&2
build mime Fuzz/mime/FuzzMIME.swift Sources/CaseportWeb/Services/Mailgate/MIMEMessage.swift \
  Sources/CaseportWeb/Services/Mailgate/ReplyText.swift
build multipart Fuzz/multipart/FuzzMultipart.swift Sources/CaseportWeb/Services/MultipartStream.swift
build csv Fuzz/csv/FuzzCSV.swift Sources/CaseportCore/CSVTable.swift Sources/CaseportCore/CSVTextDecoding.swift

# One target: fuzz, report, optionally merge the finds into the kept corpus. Its verdict goes to
# $out/<name>.status, since the targets run in the background.
run() {
  local name=$1 found
  found=$(mktemp -d)
  mkdir -p "Fuzz/corpus/$name"
  if "$out/fuzz-$name" "$found" "Fuzz/corpus/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=3072 -detect_leaks=0 \
       -max_len=131072 -print_final_stats=1 -artifact_prefix="Fuzz/crashes/$name-" >"$out/$name.log" 2>&1; then
    echo "fuzz: $name: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$out/$name.log" | grep -o '[0-9]*$') runs in ${seconds} s, no failure"
    echo passed > "$out/$name.status"
    if [ "$update" = 1 ]; then
      local merged; merged=$(mktemp -d)
      "$out/fuzz-$name" -merge=1 "$merged" "Fuzz/corpus/$name" "$found" >/dev/null 2>&1
      rm -rf "Fuzz/corpus/$name"; mv "$merged" "Fuzz/corpus/$name"
      echo "fuzz: $name: corpus now $(ls "Fuzz/corpus/$name" | wc -l) inputs"
    fi
  else
    echo "fuzz: $name FAILED; the end of its log:"
    tail -n 40 "$out/$name.log"
    echo failed > "$out/$name.status"
  fi
  rm -rf "$found"
}
# Two cores: two targets side by side, then the third.
rm -f "$out"/*.status
run mime & first=$!
run multipart & second=$!
wait "$first" "$second"
run csv
passed=$(cat "$out"/*.status | grep -c passed || true)
failed=$(( 3 - passed ))
echo "fuzz-parsers: $passed passed, $failed failed"
[ "$failed" = 0 ]
