#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, AddressSanitizer and UndefinedBehaviorSanitizer in
# build-fuzz/, then runs each target for FUZZ_SECONDS seconds (default 5: the CI smoke) from its seed corpus.
# Longer campaigns: FUZZ_SECONDS=1800 scripts/fuzz-smoke.sh [target ...]. Prints each target's executions and exits
# non-zero on the first crash, sanitizer report, leak, timeout (10 s per input) or uncaught exception.
# Needs clang and libFuzzer (Debian: clang, libclang-rt-14-dev); scripts/install-deps.sh --fuzz installs them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${FUZZ_SECONDS:-5}"
jobs="${FUZZ_BUILD_JOBS:-$(nproc)}"
targets=(fuzz_safetensors_header fuzz_safetensors_index fuzz_model_config fuzz_tokenizer_json fuzz_kv_config
         fuzz_calib_jsonl fuzz_sensitivity_table)
if [ "$#" -gt 0 ]; then targets=("$@"); fi

"$root/scripts/install-deps.sh" --fuzz
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DKVT_BUILD_FUZZ=ON -DKVT_ASAN=ON -DKVT_UBSAN=ON -DKVT_BUILD_TESTS=OFF -DKVT_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target "${targets[@]}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for t in "${targets[@]}"; do
  work="$build/tests/fuzz/corpus-run/$t"
  mkdir -p "$work"
  log="$build/tests/fuzz/$t.log"
  if "$build/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
      -dict="$root/tests/fuzz/$( [ "$t" = fuzz_kv_config ] && echo yaml.dict || echo json.dict )" \
      -artifact_prefix="$build/tests/fuzz/$t-" "$work" "$root/tests/fuzz/corpus/$t" >"$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    echo "$t: ok, ${execs:-?} executions in ${seconds}s, corpus now $(ls "$work" | wc -l) inputs"
  else
    echo "$t: FAILED (log: $log)" >&2
    tail -40 "$log" >&2
    status=1
  fi
done
exit "$status"
