#!/usr/bin/env bash
# nn~ in C — the first command to run: install, build, and hear a model in Pure Data.
# SPDX-License-Identifier: MIT
#
# Installs the Debian packages (scripts/install-deps.sh), configures and builds into build/
# (the Pd objects, the example models, the package folder build/nn_tilde/, and the command-line
# tool build/bin/nntilde with its example models and man page), then renders the
# bundled example sound examples/demo.wav through [nn~ -offline nn_hpss forward 4096] (the
# example harmonic/percussive separation model) in a headless Pd, and writes
# build/demo/output.wav: harmonic part left, percussive part right, nn~'s latency removed (the
# model's own STFT adds 768 samples; left + right = the input delayed by them). Prints
# where the file is, the latency of the object, and the real-time factor of the render; then
# renders the same sound with nntilde (build/demo/nntilde.wav) and says where the tool is.
# Needs only this repository: IRCAM's fixture models (../shared) are for some tests only.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)
[ "$jobs" -le 2 ] || jobs=2

bash scripts/install-deps.sh

echo "demo: configuring and building into build/ ..."
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$root/build.configure.log" 2>&1 ||
    { cat "$root/build.configure.log"; exit 1; }
cmake --build "$root/build" -j"$jobs" --target nn_tilde_package nntilde nntilde_files

package="$root/build/nn_tilde"
model="$package/models/nn_hpss.ts"
input="$root/examples/demo.wav"
out="$root/build/demo"
mkdir -p "$out"
for f in "$package/nn~.pd_linux" "$model" "$input"; do
    [ -e "$f" ] || { echo "demo: $f is missing" >&2; exit 1; }
done

# Length of the example in samples (16-bit mono WAV: data bytes / 2).
frames=$(( ($(stat -c %s "$input") - 44) / 2 ))
bufsize=4096
record=$(( frames + 2 * bufsize ))
record_ms=$(( record * 1000 / 48000 + 20 ))

# Record the two outlets for the whole sound plus the latency; when the object reports its
# latency, the write message skips that many samples, so output.wav lines up with demo.wav.
cat >"$out/demo.pd" <<EOF
#N canvas 0 0 600 400 12;
#X obj 10 10 array define in;
#X obj 10 30 array define harmonic $record;
#X obj 10 50 array define percussive $record;
#X obj 10 70 loadbang;
#X obj 10 90 t b b b;
#X msg 10 110 read -resize $input in;
#X obj 10 130 soundfiler;
#X msg 10 150 \; pd dsp 1;
#X obj 10 170 tabplay~ in;
#X obj 10 190 nn~ -offline $model forward $bufsize;
#X obj 10 210 tabwrite~ harmonic;
#X obj 10 230 tabwrite~ percussive;
#X obj 10 250 route latency;
#X obj 10 270 f;
#X obj 10 290 delay $record_ms;
#X msg 10 310 write -wave -bytes 2 -skip \\\$1 -nframes $frames $out/output.wav harmonic percussive;
#X obj 10 330 soundfiler;
#X msg 10 350 \; pd quit;
#X obj 200 250 print nn~;
#X msg 200 190 bang;
#X obj 200 290 t b b;
#X connect 3 0 4 0;
#X connect 4 2 5 0;
#X connect 5 0 6 0;
#X connect 4 1 7 0;
#X connect 4 0 8 0;
#X connect 4 0 10 0;
#X connect 4 0 11 0;
#X connect 4 0 19 0;
#X connect 19 0 9 0;
#X connect 8 0 9 0;
#X connect 9 0 10 0;
#X connect 9 1 11 0;
#X connect 9 2 12 0;
#X connect 9 2 18 0;
#X connect 12 0 13 1;
#X connect 3 0 14 0;
#X connect 14 0 20 0;
#X connect 20 1 13 0;
#X connect 13 0 15 0;
#X connect 15 0 16 0;
#X connect 20 0 17 0;
EOF

echo "demo: rendering $input through [nn~ -offline nn_hpss forward $bufsize] in Pd ..."
start=$(date +%s.%N)
OPENBLAS_NUM_THREADS=1 timeout 600 pd -nogui -batch -nosound -stderr -r 48000 -path "$package" \
    -open "$out/demo.pd" >"$out/pd.log" 2>&1 || { cat "$out/pd.log"; exit 1; }
end=$(date +%s.%N)
if grep -q "^error:" "$out/pd.log" || [ ! -s "$out/output.wav" ]; then
    cat "$out/pd.log"
    echo "demo: the render failed" >&2
    exit 1
fi
latency=$(sed -n 's/^nn~: latency \([0-9]*\).*/\1/p' "$out/pd.log" | tail -1)
awk -v s="$start" -v e="$end" -v n="$frames" -v l="$latency" -v out="$out/output.wav" 'BEGIN {
    secs = n / 48000.0
    printf "demo: wrote %s (harmonic left, percussive right, %.2f s)\n", out, secs
    printf "demo: latency of [nn~] %d samples (%.1f ms at 48 kHz; removed from the file)\n", l, l / 48.0
    printf "demo: real-time factor %.3f (%.2f s of computing for %.2f s of sound, Pd included)\n", (e - s) / secs, e - s, secs
}'

# The command-line tool, built alongside: the same model by its bare name.
nntilde="$root/build/bin/nntilde"
echo "demo: rendering $input through nn_hpss with $nntilde ..."
OPENBLAS_NUM_THREADS=1 "$nntilde" run nn_hpss "$input" "$out/nntilde.wav" | sed 's/^/demo: nntilde: /'
echo "demo: nntilde is built at $nntilde ('$nntilde --help'; 'man -l $root/build/share/man/man1/nntilde.1');"
echo "demo: install it with: cmake --install build --component cli --prefix ~/.local"
