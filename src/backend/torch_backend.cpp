/* nn~ in C — the libtorch backend: the only C++ and the only code that includes libtorch.
 * SPDX-License-Identifier: MIT
 *
 * Implements the private interface of torch_backend.h for src/core/model.c:
 * loading a TorchScript archive, reading the nn~ contract's metadata once,
 * running a method on planar float buffers (decimation by the input ratio,
 * zero-order hold by the output ratio, strict output checks), and calling the
 * model's getters and setters. Every entry point is an exception fence:
 * c10::Error, std::exception and anything else become an nn_status and a
 * one-line message naming the model file, method or attribute. Model calls
 * run under c10::InferenceMode, so no autograd state is ever recorded.
 */
#include "torch_backend.h"

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/runtime/print_handler.h>
#include <torch/cuda.h>
#include <torch/script.h>
#include <torch/version.h>

#include <ATen/Parallel.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

struct nn_torch {
    torch::jit::Module module;
    /* Indexed like nn_model_meta.methods, so nn_torch_run never looks up a name. */
    std::vector<torch::jit::Method> methods;
    c10::Device device = c10::Device(c10::kCPU);
};

namespace
{

/* With OpenMP, libtorch applies a thread count to the calling thread only
 * (other threads pick it up once, lazily). Worker threads that run models
 * re-apply it when it changed since they last did. */
std::atomic<int> wanted_threads{0};
thread_local int applied_threads = 0;

void apply_threads()
{
    int wanted = wanted_threads.load(std::memory_order_relaxed);
    if (wanted > 0 && wanted != applied_threads) {
        at::set_num_threads(wanted);
        applied_threads = wanted;
    }
}

/* A model's own print() (TorchScript's prim::Print) goes to stderr, not to libtorch's default
 * std::cout: the host's stdout belongs to the host (nntilde's results, a Pd pipe). */
void print_to_stderr(const std::string &text)
{
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

/* libtorch quotes bytes of a corrupt file in its messages ("found protocol = \xb1"): control
 * and non-ASCII bytes are written as \xNN so that the message stays one valid line of text. */
std::string printable(const std::string &line)
{
    std::string out;
    for (unsigned char c : line) {
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
    }
    return out;
}

/* TorchScript errors carry a multi-line interpreter traceback whose useful
 * part ("RuntimeError: ...") is the last line; loader errors put it first. */
std::string summarise(const std::string &text)
{
    std::vector<std::string> lines;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        std::string line = text.substr(start, end - start);
        size_t first = line.find_first_not_of(" \t\r");
        if (first != std::string::npos)
            lines.push_back(line.substr(first));
        start = end + 1;
    }
    if (lines.empty())
        return "unknown error";
    return printable(text.find("Traceback of TorchScript") != std::string::npos ? lines.back() : lines.front());
}

/* `context` builds the message prefix only when something was thrown, so
 * the hot path (nn_torch_run) allocates no text. */
template <class C, class F> nn_status fenced(nn_error *err, nn_status failure, C &&context, F &&body)
{
    try {
        return body();
    } catch (const c10::Error &e) {
        return nn_error_set(err, failure, "%s: %s", context().c_str(), summarise(e.what_without_backtrace()).c_str());
    } catch (const std::exception &e) {
        return nn_error_set(err, failure, "%s: %s", context().c_str(), summarise(e.what()).c_str());
    } catch (...) {
        return nn_error_set(err, failure, "%s: unknown exception", context().c_str());
    }
}

char *dup_string(const std::string &s)
{
    char *copy = static_cast<char *>(std::malloc(s.size() + 1));
    if (!copy)
        throw std::bad_alloc();
    std::memcpy(copy, s.c_str(), s.size() + 1);
    return copy;
}

template <class T> T *alloc_array(size_t n)
{
    T *p = static_cast<T *>(std::calloc(n ? n : 1, sizeof(T)));
    if (!p)
        throw std::bad_alloc();
    return p;
}

bool has_method(const torch::jit::Module &module, const std::string &name)
{
    return module.find_method(name).has_value();
}

c10::IValue call(torch::jit::Module &module, const std::string &name, std::vector<c10::IValue> args = {})
{
    return module.get_method(name)(std::move(args));
}

/* Elements of a list or a tuple; a bare value is a one-element sequence. */
std::vector<c10::IValue> elements_of(const c10::IValue &v)
{
    if (v.isList()) {
        /* Indexing, not iterators: c10::List's iterator uses std::iterator,
         * which clang reports as deprecated. */
        auto list = v.toList();
        std::vector<c10::IValue> out;
        for (size_t i = 0; i < list.size(); i++)
            out.push_back(list.get(i));
        return out;
    }
    if (v.isTuple())
        return v.toTupleRef().elements().vec();
    return {v};
}

bool string_list(const c10::IValue &v, std::vector<std::string> &out)
{
    if (!v.isList() && !v.isTuple())
        return false;
    for (const auto &e : elements_of(v)) {
        if (!e.isString())
            return false;
        out.push_back(e.toStringRef());
    }
    return true;
}

std::string shape_text(const at::Tensor &t)
{
    std::string s = "[";
    for (int64_t d = 0; d < t.dim(); d++)
        s += (d ? ", " : "") + std::to_string(t.size(d));
    return s + "]";
}

/* An `<name>_params` buffer as a vector of integers (int64 or float32
 * storage); empty when missing or not a tensor. */
std::vector<int64_t> read_params(torch::jit::Module &module, const std::string &name, std::string &why)
{
    std::string attr = name + "_params";
    if (!module.hasattr(attr)) {
        why = "has no '" + attr + "'";
        return {};
    }
    c10::IValue v = module.attr(attr);
    if (!v.isTensor()) {
        why = "'" + attr + "' is a " + v.tagKind() + ", not a tensor";
        return {};
    }
    const at::Tensor &raw = v.toTensor();
    if (!raw.defined() || raw.is_meta() || !raw.has_storage() || (raw.numel() > 0 && !raw.storage().data())) {
        why = "'" + attr + "' has no data";
        return {};
    }
    at::Tensor t = raw.to(c10::kCPU).to(c10::kDouble).contiguous().view(-1);
    std::vector<int64_t> out;
    const double *p = t.data_ptr<double>();
    for (int64_t i = 0; i < t.numel(); i++) {
        if (p[i] != static_cast<double>(static_cast<int64_t>(p[i]))) {
            why = "'" + attr + "' holds a non-integral value";
            return {};
        }
        out.push_back(static_cast<int64_t>(p[i]));
    }
    if (out.empty())
        why = "'" + attr + "' is empty";
    return out;
}

const char *const *read_labels(torch::jit::Module &module, const std::string &attr, int count, const char *fallback)
{
    std::vector<std::string> given;
    if (module.hasattr(attr))
        string_list(module.attr(attr), given);
    char **labels = alloc_array<char *>(static_cast<size_t>(count));
    for (int i = 0; i < count; i++)
        labels[i] = dup_string(static_cast<size_t>(i) < given.size() ? given[static_cast<size_t>(i)]
                                                                     : std::string(fallback) + std::to_string(i));
    return labels;
}

nn_status read_methods(nn_torch *t, const std::string &file, nn_model_meta *meta, nn_error *err)
{
    torch::jit::Module &m = t->module;
    std::vector<std::string> names;
    if (has_method(m, "get_methods")) {
        if (!string_list(call(m, "get_methods"), names))
            return nn_error_set(err, NN_ERR_BAD_METADATA, "%s: get_methods() does not return a list of strings",
                                file.c_str());
    } else {
        for (const auto &method : m.get_methods())
            if (m.hasattr(method.name() + "_params"))
                names.push_back(method.name());
    }
    if (names.empty())
        return nn_error_set(err, NN_ERR_NOT_NN_MODEL, "%s: not an nn~ model (%s)", file.c_str(),
                            has_method(m, "get_methods")
                                ? "get_methods() lists no method"
                                : "no get_methods() list and no method with '<method>_params'");

    meta->methods = alloc_array<nn_method_info>(names.size());
    for (const auto &name : names) {
        nn_method_info *info = &meta->methods[meta->method_count];
        std::string why;
        std::vector<int64_t> p = read_params(m, name, why);
        if (p.empty())
            return nn_error_set(err, NN_ERR_BAD_METADATA, "%s: method '%s' %s", file.c_str(), name.c_str(),
                                why.c_str());
        if (p.size() != 4 || p[0] < 1 || p[1] < 1 || p[2] < 1 || p[3] < 1 || p[0] > 4096 || p[2] > 4096 ||
            p[1] > NN_MAX_BUFFER_SIZE || p[3] > NN_MAX_BUFFER_SIZE)
            return nn_error_set(err, NN_ERR_BAD_METADATA,
                                "%s: method '%s': '%s_params' must be 4 positive values [in_channels, in_ratio, "
                                "out_channels, out_ratio], got %zu values",
                                file.c_str(), name.c_str(), name.c_str(), p.size());
        /* Buffer sizes are powers of two (nn_buffer_size_resolve) and must be multiples of both
         * ratios: any other ratio would pass here and fail every stream. */
        for (int side = 0; side < 2; side++) {
            int64_t ratio = p[side * 2 + 1];
            if ((ratio & (ratio - 1)) != 0)
                return nn_error_set(err, NN_ERR_BAD_METADATA,
                                    "%s: method '%s': %s ratio %lld is not a power of two (buffer sizes are powers "
                                    "of two, so no buffer could hold whole groups of %lld samples)",
                                    file.c_str(), name.c_str(), side ? "output" : "input",
                                    static_cast<long long>(ratio), static_cast<long long>(ratio));
        }
        /* Every block of the method holds at least channels x ratio samples per batch item;
         * metadata inside the per-field bounds can still ask for gigabytes. */
        for (int side = 0; side < 2; side++) {
            int64_t samples = p[side * 2] * p[side * 2 + 1];
            if (samples > NN_MAX_CHANNEL_SAMPLES)
                return nn_error_set(err, NN_ERR_BAD_METADATA,
                                    "%s: method '%s': %lld %s channels x ratio %lld = %lld samples per block, more than "
                                    "the %d nn~ accepts (%.1f GiB per block slot)",
                                    file.c_str(), name.c_str(), static_cast<long long>(p[side * 2]),
                                    side ? "output" : "input", static_cast<long long>(p[side * 2 + 1]),
                                    static_cast<long long>(samples), NN_MAX_CHANNEL_SAMPLES,
                                    static_cast<double>(samples) * 4.0 / (1024.0 * 1024.0 * 1024.0));
        }
        auto method = m.find_method(name);
        if (!method)
            return nn_error_set(err, NN_ERR_BAD_METADATA, "%s: method '%s' is listed but not compiled in the model",
                                file.c_str(), name.c_str());
        info->name = dup_string(name);
        meta->method_count++;
        info->in_channels = static_cast<int>(p[0]);
        info->in_ratio = static_cast<int>(p[1]);
        info->out_channels = static_cast<int>(p[2]);
        info->out_ratio = static_cast<int>(p[3]);
        info->input_labels = read_labels(m, name + "_input_labels", info->in_channels, "(signal) model input ");
        info->output_labels = read_labels(m, name + "_output_labels", info->out_channels, "(signal) model output ");
        t->methods.push_back(*method);
    }
    return NN_OK;
}

void read_attributes(torch::jit::Module &m, const std::string &file, nn_model_meta *meta)
{
    std::vector<std::string> names;
    if (has_method(m, "get_attributes")) {
        std::vector<std::string> listed;
        if (!string_list(call(m, "get_attributes"), listed))
            nn_log(NN_LOG_WARNING, "%s: get_attributes() does not return a list of strings", file.c_str());
        for (const auto &name : listed)
            if (name != "none")
                names.push_back(name);
    } else {
        for (const auto &a : m.named_attributes(false))
            if (m.hasattr(a.name + "_params"))
                names.push_back(a.name);
    }
    meta->attributes = alloc_array<nn_attribute_info>(names.size());
    for (const auto &name : names) {
        std::string why;
        std::vector<int64_t> codes = read_params(m, name, why);
        for (int64_t c : codes)
            if (c < NN_TYPE_BOOL || c > NN_TYPE_BUFFER)
                why = "'" + name + "_params' holds the unknown type code " + std::to_string(c);
        if (codes.empty() || !why.empty()) {
            /* One broken attribute should not make the model's methods unusable. */
            nn_log(NN_LOG_WARNING, "%s: attribute '%s' ignored: %s", file.c_str(), name.c_str(), why.c_str());
            continue;
        }
        nn_attribute_info *info = &meta->attributes[meta->attribute_count];
        nn_type *types = alloc_array<nn_type>(codes.size());
        for (size_t i = 0; i < codes.size(); i++)
            types[i] = static_cast<nn_type>(codes[i]);
        info->types = types;
        info->count = static_cast<int>(codes.size());
        info->name = dup_string(name);
        meta->attribute_count++;
    }
}

void read_buffers(torch::jit::Module &m, const std::string &file, nn_model_meta *meta)
{
    std::vector<std::string> names;
    if (has_method(m, "get_buffer_attributes") && !string_list(call(m, "get_buffer_attributes"), names))
        nn_log(NN_LOG_WARNING, "%s: get_buffer_attributes() does not return a list of strings", file.c_str());
    meta->buffers = alloc_array<char *>(names.size());
    for (const auto &name : names)
        meta->buffers[meta->buffer_count++] = dup_string(name);
}

/* The getter's element i as a value of type `type`; false when it has another kind. */
bool value_from(const c10::IValue &v, nn_type type, nn_value *out)
{
    out->type = type;
    switch (type) {
    case NN_TYPE_BOOL:
        if (v.isBool())
            out->b = v.toBool();
        else if (v.isInt() && (v.toInt() == 0 || v.toInt() == 1))
            out->b = v.toInt() != 0;
        else
            return false;
        return true;
    case NN_TYPE_INT:
        if (v.isInt())
            out->i = v.toInt();
        else if (v.isBool())
            out->i = v.toBool();
        else
            return false;
        return true;
    case NN_TYPE_FLOAT:
        if (v.isDouble())
            out->f = v.toDouble();
        else if (v.isInt())
            out->f = static_cast<double>(v.toInt());
        else
            return false;
        return true;
    case NN_TYPE_STRING:
    case NN_TYPE_BUFFER:
        if (!v.isString())
            return false;
        out->s = dup_string(v.toStringRef());
        return true;
    case NN_TYPE_TENSOR:
        if (v.isString()) {
            out->s = dup_string(v.toStringRef());
            return true;
        }
        if (!v.isTensor())
            return false;
        {
            const at::Tensor &t = v.toTensor();
            std::string s = "Tensor(dim: ";
            for (int64_t d = 0; d < t.dim(); d++)
                s += (d ? ", " : "") + std::to_string(t.size(d));
            out->s = dup_string(s + ")");
            out->channels = 1;
            out->frames = t.numel();
        }
        return true;
    }
    return false;
}

/* Whether a loaded tensor's storage holds every byte its sizes, strides and offset address.
 * libtorch 1.13 builds a tensor over whatever its data record holds: an empty or short
 * record, or a storage on the 'meta' device, gives a tensor that reads unmapped or
 * uninitialised memory. */
bool tensor_intact(const at::Tensor &t, std::string &why)
{
    if (!t.defined() || t.layout() != c10::kStrided || t.is_quantized())
        return true;
    if (t.is_meta()) {
        why = "is on the 'meta' device (it has no data)";
        return false;
    }
    if (t.numel() == 0)
        return true;
    if (!t.has_storage() || !t.storage().data()) {
        why = "has no data";
        return false;
    }
    if (t.storage_offset() < 0) {
        why = "has a negative storage offset";
        return false;
    }
    /* Highest element addressed, in elements; overflow-checked. */
    uint64_t extent = static_cast<uint64_t>(t.storage_offset());
    for (int64_t d = 0; d < t.dim(); d++) {
        if (t.stride(d) < 0) {
            why = "has a negative stride";
            return false;
        }
        uint64_t step = static_cast<uint64_t>(t.size(d) - 1), stride = static_cast<uint64_t>(t.stride(d));
        if (stride && step > (UINT64_MAX / 2 - extent) / stride) {
            why = "addresses more memory than exists";
            return false;
        }
        extent += step * stride;
    }
    uint64_t item = static_cast<uint64_t>(t.element_size());
    if (extent + 1 > UINT64_MAX / 2 / item) {
        why = "addresses more memory than exists";
        return false;
    }
    uint64_t needed = (extent + 1) * item, held = static_cast<uint64_t>(t.storage().nbytes());
    if (held < needed) {
        why = "needs " + std::to_string(needed) + " bytes of data, its record holds " + std::to_string(held);
        return false;
    }
    return true;
}

bool values_intact(const c10::IValue &v, const std::string &name, int depth, std::string &bad, std::string &why)
{
    if (depth > 200) {
        bad = name;
        why = "nests too deep";
        return false;
    }
    if (v.isTensor()) {
        if (!tensor_intact(v.toTensor(), why)) {
            bad = name;
            return false;
        }
        return true;
    }
    if (v.isObject()) {
        auto obj = v.toObject();
        for (size_t i = 0; i < obj->slots().size(); i++) {
            std::string child = name + "." + obj->type()->getAttributeName(i);
            if (!values_intact(obj->getSlot(i), child, depth + 1, bad, why))
                return false;
        }
        return true;
    }
    if (v.isList() || v.isTuple()) {
        auto elems = elements_of(v);
        for (size_t i = 0; i < elems.size(); i++)
            if (!values_intact(elems[i], name + "[" + std::to_string(i) + "]", depth + 1, bad, why))
                return false;
        return true;
    }
    if (v.isGenericDict()) {
        size_t i = 0;
        for (const auto &entry : v.toGenericDict()) {
            std::string child = name + "{" + std::to_string(i++) + "}";
            if (!values_intact(entry.key(), child, depth + 1, bad, why) ||
                !values_intact(entry.value(), child, depth + 1, bad, why))
                return false;
        }
    }
    return true;
}

/* Tensor constants baked into the compiled code (constants.pkl) are checked like attributes. */
bool block_constants_intact(torch::jit::Block *block, int depth, std::string &bad, std::string &why)
{
    if (depth > 200)
        return true;
    for (torch::jit::Node *node : block->nodes()) {
        if (node->kind() == c10::prim::Constant && node->outputs().size() == 1 &&
            node->output()->type()->kind() == c10::TypeKind::TensorType) {
            auto value = torch::jit::toIValue(node->output());
            if (value && value->isTensor() && !tensor_intact(value->toTensor(), why)) {
                bad = "a tensor constant in the code";
                return false;
            }
        }
        for (torch::jit::Block *sub : node->blocks())
            if (!block_constants_intact(sub, depth + 1, bad, why))
                return false;
    }
    return true;
}

nn_status module_check(torch::jit::Module &module, const std::string &path, nn_error *err)
{
    std::string bad, why;
    bool ok = values_intact(module._ivalue(), "model", 0, bad, why);
    if (ok)
        for (const auto &fn : module._ivalue()->compilation_unit()->get_functions())
            if (fn->isGraphFunction() && !block_constants_intact(torch::jit::toGraphFunction(*fn).graph()->block(), 0, bad, why)) {
                ok = false;
                break;
            }
    if (ok)
        return NN_OK;
    return nn_error_set(err, NN_ERR_BAD_FILE, "%s: corrupt model: tensor '%s' %s", path.c_str(), bad.c_str(),
                        why.c_str());
}

} // namespace

extern "C" {

void nn_model_meta_clear(nn_model_meta *meta)
{
    for (int i = 0; i < meta->method_count; i++) {
        nn_method_info *m = &meta->methods[i];
        /* A load that failed half-way leaves later label arrays NULL. */
        for (int c = 0; m->input_labels && c < m->in_channels; c++)
            std::free(const_cast<char *>(m->input_labels[c]));
        for (int c = 0; m->output_labels && c < m->out_channels; c++)
            std::free(const_cast<char *>(m->output_labels[c]));
        std::free(const_cast<char **>(m->input_labels));
        std::free(const_cast<char **>(m->output_labels));
        std::free(const_cast<char *>(m->name));
    }
    std::free(meta->methods);
    for (int i = 0; i < meta->attribute_count; i++) {
        std::free(const_cast<char *>(meta->attributes[i].name));
        std::free(const_cast<nn_type *>(meta->attributes[i].types));
    }
    std::free(meta->attributes);
    for (int i = 0; i < meta->buffer_count; i++)
        std::free(meta->buffers[i]);
    std::free(meta->buffers);
    *meta = nn_model_meta{};
}

nn_status nn_torch_load(const char *path, nn_torch **out, nn_error *err)
{
    *out = nullptr;
    return fenced(
        err, NN_ERR_BAD_FILE, [&] { return std::string(path) + ": not a TorchScript archive"; },
        [&] {
            static std::once_flag print_handler_set;
            std::call_once(print_handler_set, [] { torch::jit::setPrintHandler(print_to_stderr); });
            auto *t = new nn_torch{torch::jit::load(path, c10::Device(c10::kCPU)), {}, c10::Device(c10::kCPU)};
            nn_status s = module_check(t->module, path, err);
            if (s != NN_OK) {
                delete t;
                return s;
            }
            t->module.eval();
            *out = t;
            return NN_OK;
        });
}

void nn_torch_free(nn_torch *torch)
{
    try {
        delete torch;
    } catch (...) {
        /* A destructor that throws has nothing left to release that we could reach. */
    }
}

nn_status nn_torch_read_meta(nn_torch *t, const char *file, nn_model_meta *meta, nn_error *err)
{
    *meta = nn_model_meta{};
    nn_status status = fenced(
        err, NN_ERR_BAD_METADATA, [&] { return std::string(file) + ": reading metadata"; },
        [&] {
            c10::InferenceMode guard;
            nn_status s = read_methods(t, file, meta, err);
            if (s != NN_OK)
                return s;
            read_attributes(t->module, file, meta);
            read_buffers(t->module, file, meta);
            meta->has_set_sample_rate = has_method(t->module, "set_sample_rate");
            return NN_OK;
        });
    if (status != NN_OK) {
        nn_model_meta_clear(meta);
        t->methods.clear();
    }
    return status;
}

nn_status nn_torch_run(nn_torch *t, int method, const nn_method_info *info, int batch, int frames, const float *input,
                       float *output, nn_error *err)
{
    return fenced(
        err, NN_ERR_MODEL_FAILED, [&] { return std::string("method '") + info->name + "' failed"; },
        [&] {
            apply_threads();
            c10::InferenceMode guard;
            const int64_t b = batch, in_ch = info->in_channels, out_ch = info->out_channels;
            const int64_t in_r = info->in_ratio, out_r = info->out_ratio;
            auto opts = torch::TensorOptions().dtype(torch::kFloat32);
            at::Tensor x =
                torch::from_blob(const_cast<float *>(input), {b, in_ch, frames / in_r, in_r}, opts).select(3, in_r - 1);
            /* The one input copy: the model may keep views of its input as state
             * (streaming caches) or modify it in place, and the caller reuses and
             * owns this memory. It also makes the decimated view contiguous. */
            x = x.to(t->device, torch::kFloat32, false, true, c10::MemoryFormat::Contiguous);
            c10::IValue result = t->methods[static_cast<size_t>(method)]({x});
            if (!result.isTensor())
                return nn_error_set(err, NN_ERR_BAD_OUTPUT, "method '%s' returned a %s instead of a Tensor", info->name,
                                    result.tagKind().c_str());
            const at::Tensor &y = result.toTensor();
            if (y.scalar_type() != torch::kFloat32)
                return nn_error_set(err, NN_ERR_BAD_OUTPUT, "method '%s' returned a %s tensor, expected float32",
                                    info->name, c10::toString(y.scalar_type()));
            if (y.dim() != 3 || y.size(0) != b || y.size(1) != out_ch || y.size(2) * out_r != frames) {
                std::string expected = "[" + std::to_string(b) + ", " + std::to_string(out_ch) + ", " +
                                       std::to_string(frames / out_r) + "]";
                return nn_error_set(
                    err, NN_ERR_BAD_OUTPUT,
                    "method '%s' returned shape %s, expected %s (batch, out_channels, frames / out_ratio "
                    "%lld)",
                    info->name, shape_text(y).c_str(), expected.c_str(), static_cast<long long>(out_r));
            }
            /* One output copy: broadcasting over the last axis is the zero-order hold. */
            torch::from_blob(output, {b, out_ch, frames / out_r, out_r}, opts).copy_(y.unsqueeze(3));
            return NN_OK;
        });
}

nn_status nn_torch_attribute_get(nn_torch *t, const nn_attribute_info *attr, nn_value_list *out, nn_error *err)
{
    std::string getter = std::string("get_") + attr->name;
    return fenced(
        err, NN_ERR_MODEL_FAILED,
        [&] { return "attribute '" + std::string(attr->name) + "': " + getter + "() failed"; },
        [&] {
            c10::InferenceMode guard;
            if (!has_method(t->module, getter))
                return nn_error_set(err, NN_ERR_UNSUPPORTED, "attribute '%s': the model has no %s()", attr->name,
                                    getter.c_str());
            std::vector<c10::IValue> elems = elements_of(call(t->module, getter));
            if (elems.size() != static_cast<size_t>(attr->count))
                return nn_error_set(err, NN_ERR_BAD_METADATA,
                                    "attribute '%s': %s() returned %zu values, '%s_params' declares %d", attr->name,
                                    getter.c_str(), elems.size(), attr->name, attr->count);
            nn_value *values = alloc_array<nn_value>(elems.size());
            for (size_t i = 0; i < elems.size(); i++) {
                if (!value_from(elems[i], attr->types[i], &values[i])) {
                    nn_value_list partial = {static_cast<int>(i), values};
                    nn_value_list_clear(&partial);
                    return nn_error_set(err, NN_ERR_BAD_METADATA, "attribute '%s': %s() value %zu is a %s, expected %s",
                                        attr->name, getter.c_str(), i, elems[i].tagKind().c_str(),
                                        nn_type_name(attr->types[i]));
                }
            }
            out->count = static_cast<int>(elems.size());
            out->values = values;
            return NN_OK;
        });
}

nn_status nn_torch_attribute_set(nn_torch *t, const nn_attribute_info *attr, const nn_value *values, int sample_rate,
                                 nn_error *err)
{
    std::string setter = std::string("set_") + attr->name;
    return fenced(
        err, NN_ERR_REFUSED, [&] { return "attribute '" + std::string(attr->name) + "': " + setter + "() refused"; },
        [&] {
            c10::InferenceMode guard;
            if (!has_method(t->module, setter))
                return nn_error_set(err, NN_ERR_UNSUPPORTED, "attribute '%s': the model has no %s()", attr->name,
                                    setter.c_str());
            auto opts = torch::TensorOptions().dtype(torch::kFloat32);
            std::vector<c10::IValue> args;
            for (int i = 0; i < attr->count; i++) {
                const nn_value &v = values[i];
                switch (attr->types[i]) {
                case NN_TYPE_BOOL: args.emplace_back(v.b); break;
                case NN_TYPE_INT: args.emplace_back(v.i); break;
                case NN_TYPE_FLOAT: args.emplace_back(v.f); break;
                case NN_TYPE_STRING: args.emplace_back(std::string(v.s)); break;
                case NN_TYPE_TENSOR:
                    args.emplace_back(
                        torch::from_blob(const_cast<float *>(v.data), {v.frames}, opts).clone().to(t->device));
                    break;
                case NN_TYPE_BUFFER: {
                    std::string element = std::string(attr->name) + "#" + std::to_string(i);
                    if (!has_method(t->module, "set_buffer_attribute"))
                        return nn_error_set(err, NN_ERR_UNSUPPORTED,
                                            "attribute '%s': the model has no set_buffer_attribute() for '%s'",
                                            attr->name, element.c_str());
                    at::Tensor data = torch::from_blob(const_cast<float *>(v.data), {v.channels, v.frames}, opts)
                                          .clone()
                                          .to(t->device);
                    int sr = v.sample_rate > 0 ? static_cast<int>(v.sample_rate) : sample_rate;
                    c10::IValue r =
                        call(t->module, "set_buffer_attribute",
                             {c10::IValue(element), c10::IValue(data), c10::IValue(static_cast<int64_t>(sr))});
                    if (r.isInt() && r.toInt() != 0)
                        return nn_error_set(err, NN_ERR_REFUSED,
                                            "attribute '%s': set_buffer_attribute('%s') refused a buffer of %lld "
                                            "channel(s) x %lld frames at %d Hz (outside the model's bounds?)",
                                            attr->name, element.c_str(), static_cast<long long>(v.channels),
                                            static_cast<long long>(v.frames), sr);
                    args.emplace_back(element);
                    break;
                }
                }
            }
            c10::IValue r = call(t->module, setter, std::move(args));
            if (r.isInt() && r.toInt() != 0)
                return nn_error_set(err, NN_ERR_REFUSED,
                                    "attribute '%s': the model refused the value (%s() returned %lld)", attr->name,
                                    setter.c_str(), static_cast<long long>(r.toInt()));
            return NN_OK;
        });
}

nn_status nn_torch_buffer_clear(nn_torch *t, const char *element, nn_error *err)
{
    return fenced(
        err, NN_ERR_REFUSED, [&] { return std::string("clear_buffer_attribute('") + element + "') failed"; },
        [&] {
            c10::InferenceMode guard;
            if (!has_method(t->module, "clear_buffer_attribute"))
                return nn_error_set(err, NN_ERR_UNSUPPORTED, "buffer '%s': the model has no clear_buffer_attribute()",
                                    element);
            /* IRCAM's exporter returns None here; only an explicit non-zero int is a refusal. */
            c10::IValue r = call(t->module, "clear_buffer_attribute", {c10::IValue(std::string(element))});
            if (r.isInt() && r.toInt() != 0)
                return nn_error_set(err, NN_ERR_REFUSED, "buffer '%s': clear_buffer_attribute() returned %lld", element,
                                    static_cast<long long>(r.toInt()));
            return NN_OK;
        });
}

nn_status nn_torch_set_sample_rate(nn_torch *t, int sample_rate, nn_error *err)
{
    return fenced(
        err, NN_ERR_REFUSED, [&] { return "set_sample_rate(" + std::to_string(sample_rate) + ") failed"; },
        [&] {
            c10::InferenceMode guard;
            c10::IValue r = call(t->module, "set_sample_rate", {c10::IValue(static_cast<int64_t>(sample_rate))});
            if (r.isInt() && r.toInt() != 0)
                return nn_error_set(err, NN_ERR_REFUSED, "set_sample_rate(%d) returned %lld", sample_rate,
                                    static_cast<long long>(r.toInt()));
            return NN_OK;
        });
}

int nn_torch_sample_rate(nn_torch *t)
{
    try {
        c10::InferenceMode guard;
        if (!has_method(t->module, "get_sample_rate"))
            return -1;
        /* Some exports return a bool or None when no rate was set. */
        c10::IValue r = call(t->module, "get_sample_rate");
        return r.isInt() && r.toInt() > 0 ? static_cast<int>(r.toInt()) : -1;
    } catch (...) {
        return -1;
    }
}

nn_status nn_torch_set_device(nn_torch *t, nn_device device, nn_error *err)
{
    return fenced(
        err, NN_ERR_UNSUPPORTED, [] { return std::string("moving the model failed"); },
        [&] {
            c10::Device target(c10::kCPU);
            if (device == NN_DEVICE_CUDA) {
                if (!torch::cuda::is_available())
                    return nn_error_set(err, NN_ERR_UNSUPPORTED,
                                        "CUDA is not available (this libtorch %s has no CUDA support or no GPU is "
                                        "present); the model stays on the CPU",
                                        TORCH_VERSION);
                target = c10::Device(c10::kCUDA);
            }
            t->module.to(target);
            t->device = target;
            return NN_OK;
        });
}

const char *nn_torch_version(void)
{
    return TORCH_VERSION;
}

bool nn_torch_has_cuda(void)
{
    try {
        return torch::cuda::is_available();
    } catch (...) {
        return false;
    }
}

void nn_torch_set_threads(int threads)
{
    try {
        wanted_threads.store(threads, std::memory_order_relaxed);
        apply_threads();
    } catch (...) {
        /* libtorch refuses only invalid counts, which the caller has excluded. */
    }
}

} // extern "C"
