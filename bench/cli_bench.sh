#!/usr/bin/env bash
# nntilde render memory and speed: peak RSS must not grow with the file's length.
# SPDX-License-Identifier: MIT
#
# Renders a SHORT and a LONG stereo float WAV (minutes) through MODEL's METHOD with
# `nntilde run` and reports, as one JSON object on stdout, each render's wall time,
# real-time factor and peak resident memory (getrusage of the child), and the ratio of the two
# peaks (about 1.0 when memory is bounded; a whole-file load would make it LONG/SHORT).
# Usage: bench/cli_bench.sh BUILD_DIR [MODEL] [METHOD] [SHORT_MIN] [LONG_MIN]
#   defaults: MODEL=BUILD_DIR/models/rave.ts METHOD=forward SHORT_MIN=1 LONG_MIN=10
set -euo pipefail
build=${1:?usage: bench/cli_bench.sh BUILD_DIR [MODEL] [METHOD] [SHORT_MIN] [LONG_MIN]}
model=${2:-$build/models/rave.ts}
method=${3:-forward}
short=${4:-1}
long=${5:-10}
nntilde=$build/bin/nntilde
python=${NN_PYTHON:-/usr/bin/python3}
export OPENBLAS_NUM_THREADS=1

[ -x "$nntilde" ] || { echo "cli_bench: $nntilde not built" >&2; exit 1; }
[ -f "$model" ] || { echo "cli_bench: model $model missing (build the 'models' target)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A stereo float WAV of N minutes at 48 kHz, written in chunks (the generator is bounded too).
make_wav() {
    "$python" - "$1" "$2" <<'PY'
import struct, sys
import numpy as np
path, minutes = sys.argv[1], float(sys.argv[2])
rate, channels = 48000, 2
frames = int(minutes * 60 * rate)
with open(path, "wb") as f:
    data_bytes = frames * channels * 4
    fmt = struct.pack("<HHIIHH", 3, channels, rate, rate * channels * 4, channels * 4, 32)
    f.write(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + data_bytes) + b"WAVE")
    f.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", data_bytes))
    rng = np.random.default_rng(1)
    chunk = rate * 10
    for start in range(0, frames, chunk):
        n = min(chunk, frames - start)
        t = (start + np.arange(n)) / rate
        left = 0.4 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.standard_normal(n)
        right = 0.3 * np.sin(2 * np.pi * 330 * t) + 0.05 * rng.standard_normal(n)
        f.write(np.stack([left, right], 1).astype("<f4").tobytes())
PY
}

render() {
    local minutes=$1 in=$work/in_$1.wav out=$work/out_$1.wav log=$work/time_$1.log
    make_wav "$in" "$minutes"
    local start end
    start=$(date +%s.%N)
    # Peak RSS of the render alone (the only child of this Python), in KiB on Linux.
    "$python" -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[2:], stderr=open(sys.argv[1], "w"))
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(r.returncode)' "$log" "$nntilde" run -q "$model" -m "$method" "$in" "$out" >"$work/rss_$1" ||
        { cat "$log" >&2; exit 1; }
    end=$(date +%s.%N)
    local rss
    rss=$(cat "$work/rss_$1")
    rm -f "$in" "$out"
    echo "$minutes $rss $start $end"
}

read -r s_min s_rss s_start s_end < <(render "$short")
read -r l_min l_rss l_start l_end < <(render "$long")
"$python" - "$model" "$method" "$s_min" "$s_rss" "$s_start" "$s_end" "$l_min" "$l_rss" "$l_start" "$l_end" <<'PY'
import json, sys
model, method = sys.argv[1], sys.argv[2]
def entry(minutes, rss, start, end):
    wall = float(end) - float(start)
    return {"minutes": float(minutes), "peak_rss_mib": round(int(rss) / 1024, 1), "wall_s": round(wall, 2),
            "rtf": round(wall / (float(minutes) * 60), 4)}
short, long_ = entry(*sys.argv[3:7]), entry(*sys.argv[7:11])
print(json.dumps({"benchmark": "nntilde run memory", "model": model, "method": method, "channels": 2,
                  "sample_rate": 48000, "short": short, "long": long_,
                  "rss_ratio_long_over_short": round(long_["peak_rss_mib"] / short["peak_rss_mib"], 3)}, indent=2))
PY
