#!/usr/bin/env bash
# nn~ in C — the test command: installs what is needed, builds, and runs every test.
# SPDX-License-Identifier: MIT
#
# Four build configurations, each in build-test/<name>:
#   release  every test (model, stream, pd, cli, download, python)
#   asan     AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer): tests labelled asan
#   tsan     ThreadSanitizer: tests labelled tsan (engine hand-off, downloader threads)
#   rtsan    RealtimeSanitizer (clang-22): tests labelled rtsan (engine and Pd audio paths)
# Usage: scripts/test.sh [config ...]   (default: all four)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/install-deps.sh

jobs=$(nproc)
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(release asan tsan rtsan)

run_config() {
    local name=$1 labels=$2
    shift 2
    local dir="$root/build-test/$name"
    echo "=== [$name] configure + build ==="
    cmake -S "$root" -B "$dir" -DNN_WERROR=ON "$@" >"$dir.configure.log" 2>&1 ||
        { cat "$dir.configure.log"; return 1; }
    cmake --build "$dir" -j"$jobs"
    echo "=== [$name] tests ${labels:+(label $labels)} ==="
    local label_args=()
    # ctest -L takes a regular expression: anchor it, or "tsan" would also pick "rtsan".
    [ -z "$labels" ] || label_args=(-L "^${labels}\$")
    ctest --test-dir "$dir" --output-on-failure --timeout 900 -j"$jobs" "${label_args[@]}"
}

mkdir -p build-test
for c in "${configs[@]}"; do
    case "$c" in
    release) run_config release "" -DCMAKE_BUILD_TYPE=RelWithDebInfo ;;
    asan) run_config asan asan -DCMAKE_BUILD_TYPE=Debug -DNN_SANITIZE=address -DNN_BUILD_BENCH=OFF ;;
    tsan) run_config tsan tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNN_SANITIZE=thread -DNN_BUILD_BENCH=OFF ;;
    rtsan) run_config rtsan rtsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNN_SANITIZE=realtime -DNN_BUILD_BENCH=OFF \
        -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 ;;
    *) echo "unknown configuration '$c' (release, asan, tsan, rtsan)" >&2; exit 2 ;;
    esac
done
echo "=== all tests passed (${configs[*]}) ==="
