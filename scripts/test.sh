#!/usr/bin/env bash
# nn~ in C — the test command: installs what is needed, builds, and runs every test.
# SPDX-License-Identifier: MIT
#
# Four build configurations, each in build-test/<name>:
#   release  every test (model, stream, pd, cli, download, python)
#   asan     AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer): tests labelled asan
#   tsan     ThreadSanitizer: tests labelled tsan (engine hand-off, downloader threads)
#   rtsan    RealtimeSanitizer (clang-22): tests labelled rtsan (engine and Pd audio paths)
#   fuzz     libFuzzer targets (clang-14, ASan+UBSan; tests/fuzz, a project of its own), each
#            run for NN_FUZZ_SECONDS (20) seconds, seeded with the release build's models
# Usage: scripts/test.sh [--configure-only] [config ...]   (default: all five)
#
# Tests that compare against IRCAM's fixture models (../shared/fixtures/models, not in this
# repository) are not run when those files are missing: the summary at the end names them
# and says why. NN_REQUIRE_FIXTURES=1 (set by CI, .ci/run) makes missing files an error.
# --configure-only configures and prints that summary without building or running anything.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

configure_only=0
if [ "${1:-}" = "--configure-only" ]; then
    configure_only=1
    shift
fi

bash scripts/install-deps.sh

jobs=$(nproc)
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(release asan tsan rtsan fuzz)
# Always given, so that a build folder configured once with it does not keep it in its cache.
fixture_args=(-DNN_REQUIRE_FIXTURES=OFF)
[ "${NN_REQUIRE_FIXTURES:-0}" = "0" ] || fixture_args=(-DNN_REQUIRE_FIXTURES=ON)
summary=()

# Adds to the summary the tests of configuration $1 (build folder $2, ctest label arguments
# after) that CMake registered but disabled because the fixture files are missing
# (<build>/fixtures-missing.txt: the reason, then one test name per line).
note_not_run() {
    local name=$1 dir=$2
    shift 2
    local report="$dir/fixtures-missing.txt"
    [ -f "$report" ] || return 0
    local selected names=() t
    selected=$(ctest --test-dir "$dir" -N "$@" 2>/dev/null | sed -n 's/^ *Test *#[0-9]*: *\([^ ]*\).*/\1/p')
    while read -r t; do
        if grep -qxF -- "$t" <<<"$selected"; then names+=("$t"); fi
    done < <(tail -n +2 "$report")
    [ ${#names[@]} -gt 0 ] || return 0
    summary+=("=== [$name] ${#names[@]} tests not run, for lack of IRCAM's fixture models ($(head -1 "$report");"
              "    CI has them in ../shared/fixtures/models; point -DNN_FIXTURES_DIR=<folder> at a copy to run them):"
              "    ${names[*]}")
}

# The same for the other parts that need ../shared (Pd 0.56's source, the Max SDK headers):
# <build>/not-run-*.txt hold a sentence saying what is missing, then the test names (if any).
note_other_not_run() {
    local name=$1 dir=$2 report line1 selected names t
    shift 2
    selected=$(ctest --test-dir "$dir" -N "$@" 2>/dev/null | sed -n 's/^ *Test *#[0-9]*: *\([^ ]*\).*/\1/p')
    for report in "$dir"/not-run-*.txt; do
        [ -f "$report" ] || continue
        line1=$(head -1 "$report")
        names=()
        while read -r t; do
            if grep -qxF -- "$t" <<<"$selected"; then names+=("$t"); fi
        done < <(tail -n +2 "$report")
        if [ "$(wc -l <"$report")" -le 1 ]; then
            summary+=("=== [$name] not built or run: $line1")
        elif [ ${#names[@]} -gt 0 ]; then
            summary+=("=== [$name] ${#names[@]} tests not run: $line1" "    ${names[*]}")
        fi
    done
}

run_config() {
    local name=$1 labels=$2
    shift 2
    local dir="$root/build-test/$name"
    local what="configure + build"
    [ "$configure_only" = 0 ] || what="configure only"
    echo "=== [$name] $what ==="
    cmake -S "$root" -B "$dir" -DNN_WERROR=ON "${fixture_args[@]}" "$@" >"$dir.configure.log" 2>&1 ||
        { cat "$dir.configure.log"; return 1; }
    local label_args=()
    # ctest -L takes a regular expression: anchor it, or "tsan" would also pick "rtsan".
    [ -z "$labels" ] || label_args=(-L "^${labels}\$")
    note_not_run "$name" "$dir" "${label_args[@]}"
    note_other_not_run "$name" "$dir" "${label_args[@]}"
    [ "$configure_only" = 0 ] || return 0
    # `|| return`: run_config is called as `run_config ... || status=$?`, where set -e does not apply.
    cmake --build "$dir" -j"$jobs" || return 1
    echo "=== [$name] tests ${labels:+(label $labels)} ==="
    ctest --test-dir "$dir" --output-on-failure --timeout 900 -j"$jobs" "${label_args[@]}"
}

run_fuzz() {
    local dir="$root/build-test/fuzz"
    echo "=== [fuzz] configure + build ==="
    cmake -S "$root/tests/fuzz" -B "$dir" -DCMAKE_C_COMPILER=clang-14 \
        -DNN_FUZZ_SECONDS="${NN_FUZZ_SECONDS:-20}" -DNN_FUZZ_MODELS="$root/build-test/release/models" \
        >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; return 1; }
    [ "$configure_only" = 0 ] || return 0
    cmake --build "$dir" -j"$jobs" || return 1
    echo "=== [fuzz] tests (${NN_FUZZ_SECONDS:-20} s per target) ==="
    ctest --test-dir "$dir" --output-on-failure --timeout 900 -j"$jobs"
}

print_summary() {
    local line
    [ ${#summary[@]} -gt 0 ] || return 0
    for line in "${summary[@]}"; do echo "$line"; done
}

mkdir -p build-test
for c in "${configs[@]}"; do
    status=0
    case "$c" in
    release) run_config release "" -DCMAKE_BUILD_TYPE=RelWithDebInfo || status=$? ;;
    asan) run_config asan asan -DCMAKE_BUILD_TYPE=Debug -DNN_SANITIZE=address -DNN_BUILD_BENCH=OFF || status=$? ;;
    tsan) run_config tsan tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNN_SANITIZE=thread -DNN_BUILD_BENCH=OFF ||
        status=$? ;;
    rtsan) run_config rtsan rtsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNN_SANITIZE=realtime -DNN_BUILD_BENCH=OFF \
        -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 || status=$? ;;
    fuzz) run_fuzz || status=$? ;;
    *) echo "unknown configuration '$c' (release, asan, tsan, rtsan, fuzz)" >&2; exit 2 ;;
    esac
    if [ "$status" != 0 ]; then
        print_summary
        echo "=== FAILED in configuration $c ===" >&2
        exit "$status"
    fi
done
print_summary
if [ "$configure_only" = 1 ]; then
    echo "=== configured (${configs[*]}); nothing built or run ==="
elif [ ${#summary[@]} -gt 0 ]; then
    echo "=== every test that ran passed (${configs[*]}); some were not run: see above ==="
else
    echo "=== all tests passed (${configs[*]}) ==="
fi
