# SPDX-License-Identifier: MIT
"""Reference for a model run at its own rate in a stream at another rate (test_stream_resample).

usage: resample_reference.py MODEL METHOD HOST_RATE MODEL_RATE BLOCK IN.f32 OUT.f32

IN.f32 is a mono signal at HOST_RATE (raw float32). The whole signal goes to MODEL_RATE with
the system's libsamplerate (ctypes, src_simple, SRC_SINC_MEDIUM_QUALITY: the converter the
engine uses; python3-samplerate and torchaudio are not available), through the model (torch,
loaded fresh, called on consecutive blocks of BLOCK samples, the last one padded with zeros)
and back to HOST_RATE the same way. The engine's output must equal OUT.f32 once aligned by
nn_stream_latency(). Methods with an output ratio R > 1 are held, not filtered, on the way
back, as the engine does: host sample i is model sample floor(i * MODEL_RATE / HOST_RATE).
"""
import ctypes
import ctypes.util
import sys

import numpy as np
import torch

SRC_SINC_MEDIUM_QUALITY = 1


class SrcData(ctypes.Structure):
    _fields_ = [("data_in", ctypes.POINTER(ctypes.c_float)), ("data_out", ctypes.POINTER(ctypes.c_float)),
                ("input_frames", ctypes.c_long), ("output_frames", ctypes.c_long),
                ("input_frames_used", ctypes.c_long), ("output_frames_gen", ctypes.c_long),
                ("end_of_input", ctypes.c_int), ("src_ratio", ctypes.c_double)]


def resample(lib: ctypes.CDLL, x: np.ndarray, ratio: float) -> np.ndarray:
    x = np.ascontiguousarray(x, dtype=np.float32)
    room = int(len(x) * ratio) + 64
    y = np.zeros(room, dtype=np.float32)
    data = SrcData(x.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), y.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
                   len(x), room, 0, 0, 1, ratio)
    error = lib.src_simple(ctypes.byref(data), SRC_SINC_MEDIUM_QUALITY, 1)
    if error:
        raise SystemExit(f"src_simple failed: {error}")
    return y[:data.output_frames_gen]


def main() -> int:
    model_path, method, host_rate, model_rate, block, in_path, out_path = sys.argv[1:8]
    host_rate, model_rate, block = int(host_rate), int(model_rate), int(block)
    name = ctypes.util.find_library("samplerate") or "libsamplerate.so.0"
    lib = ctypes.CDLL(name)
    x = np.fromfile(in_path, dtype=np.float32)
    torch.set_num_threads(1)
    model = torch.jit.load(model_path)
    params = [int(v) for v in getattr(model, method + "_params")]
    in_ratio, out_ratio = params[1], params[3]
    z = resample(lib, x, model_rate / host_rate)
    blocks = (len(z) + block - 1) // block
    padded = np.zeros(blocks * block, dtype=np.float32)
    padded[:len(z)] = z
    outs = []
    with torch.no_grad():
        for k in range(blocks):
            chunk = torch.from_numpy(padded[k * block:(k + 1) * block]).reshape(1, 1, -1)
            chunk = chunk[..., in_ratio - 1::in_ratio]
            y = getattr(model, method)(chunk)
            y = y.repeat_interleave(out_ratio, dim=-1) if out_ratio > 1 else y
            outs.append(y[0, 0].numpy())
    w = np.concatenate(outs)[:len(z)]
    if out_ratio > 1:
        i = np.arange(len(x), dtype=np.int64)
        back = w[np.minimum(i * model_rate // host_rate, len(w) - 1)]
    else:
        back = resample(lib, w, host_rate / model_rate)
    out = np.zeros(len(x), dtype=np.float32)
    n = min(len(x), len(back))
    out[:n] = back[:n]
    out.astype(np.float32).tofile(out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
