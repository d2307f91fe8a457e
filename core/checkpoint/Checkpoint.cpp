#include "checkpoint/Checkpoint.h"

#include "checkpoint/CheckpointError.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

namespace samtok::checkpoint {
namespace {

std::string stripWrapperPrefix(const std::string& name) {
    for (const char* p : {"module.", "hf_model."})
        if (name.rfind(p, 0) == 0) return name.substr(std::strlen(p));
    return name;
}

// Largest element index + 1 that the view touches, or throws on overflow.
std::uint64_t extent(const std::string& where, const std::string& name, const std::vector<std::int64_t>& sizes,
                     const std::vector<std::int64_t>& strides, std::uint64_t offset) {
    std::uint64_t last = offset;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        if (sizes[i] == 0) return 0;
        const auto span = static_cast<std::uint64_t>(sizes[i] - 1);
        const auto stride = static_cast<std::uint64_t>(strides[i]);
        if (stride != 0 && span > (std::numeric_limits<std::uint64_t>::max() - last) / stride)
            throw CheckpointError(where + ": tensor '" + name + "' has an impossible shape");
        last += span * stride;
    }
    return last + 1;
}

void addChecked(std::map<std::string, StoredTensor>& out, const std::string& where, const std::string& rawName,
                StoredTensor t) {
    const std::uint64_t need = extent(where, rawName, t.sizes, t.strides, t.offset);
    const std::uint64_t have = t.storageBytes / elementSize(t.dtype);
    if (need > have)
        throw CheckpointError(where + ": tensor '" + rawName + "' needs " + std::to_string(need) +
                              " elements but its storage holds " + std::to_string(have) + " (truncated or damaged)");
    const std::string name = stripWrapperPrefix(rawName);
    if (!out.emplace(name, std::move(t)).second) throw CheckpointError(where + ": tensor '" + name + "' appears twice");
}

std::vector<std::int64_t> contiguousStrides(const std::vector<std::int64_t>& sizes) {
    std::vector<std::int64_t> s(sizes.size(), 1);
    for (std::size_t i = sizes.size(); i-- > 1;) s[i - 1] = s[i] * std::max<std::int64_t>(sizes[i], 1);
    return s;
}

}  // namespace

std::int64_t StoredTensor::numel() const {
    std::int64_t n = 1;
    for (auto s : sizes) n *= s;
    return n;
}

Checkpoint Checkpoint::open(const std::string& path) {
    Checkpoint c;
    c.path_ = path;
    c.file_ = std::make_shared<MappedFile>(path);
    const std::string where = "'" + path + "'";
    if (ZipArchive::looksLikeZip(c.file_->data(), c.file_->size()))
        c.readZip(where);
    else
        c.readSafetensors(where);
    return c;
}

void Checkpoint::readZip(const std::string& where) {
    format_ = "pytorch-zip";
    ZipArchive zip(file_);
    std::string prefix;
    for (const auto& [name, e] : zip.entries()) {
        const auto slash = name.find('/');
        if (slash != std::string::npos && name.substr(slash) == "/data.pkl") prefix = name.substr(0, slash + 1);
    }
    if (prefix.empty()) throw CheckpointError(where + ": a ZIP file, but not a PyTorch checkpoint (no data.pkl)");
    if (zip.contains(prefix + "byteorder")) {
        const ZipEntry bo = zip.entry(prefix + "byteorder");
        if (std::string(reinterpret_cast<const char*>(bo.data), bo.size) != "little")
            throw CheckpointError(where + ": big-endian checkpoints are not supported");
    }
    const ZipEntry pkl = zip.entry(prefix + "data.pkl");
    const PickleRef root = unpickle(pkl.data, pkl.size, where);
    for (const auto& [name, ref] : stateDictTensors(root, where)) {
        const std::string storageName = prefix + "data/" + ref.storageKey;
        if (!zip.contains(storageName))
            throw CheckpointError(where + ": tensor '" + name + "' refers to missing storage '" + ref.storageKey + "'");
        const ZipEntry st = zip.entry(storageName);
        if (ref.storageNumel * elementSize(ref.dtype) > st.size)
            throw CheckpointError(where + ": storage '" + ref.storageKey + "' of tensor '" + name +
                                  "' is shorter than declared (truncated or damaged)");
        addChecked(tensors_, where, name, {ref.dtype, ref.sizes, ref.strides, ref.offset, st.data, st.size});
    }
}

void Checkpoint::readSafetensors(const std::string& where) {
    const std::uint8_t* base = file_->data();
    const std::size_t n = file_->size();
    format_ = "safetensors";
    if (n < 8) throw CheckpointError(where + ": not a checkpoint (too short)");
    std::uint64_t headerLen = 0;
    for (int i = 7; i >= 0; --i) headerLen = (headerLen << 8) | base[i];
    // A file named .safetensors is told what is wrong with its header; anything else is simply not a checkpoint.
    const bool named = path_.size() > 12 && path_.compare(path_.size() - 12, 12, ".safetensors") == 0;
    if (headerLen == 0 || headerLen > n - 8 || headerLen > (100u << 20) || base[8] != '{') {
        if (!named) throw CheckpointError(where + ": not a checkpoint (neither a PyTorch ZIP nor safetensors)");
        throw CheckpointError(where + ": damaged safetensors header (" +
                              (headerLen > n - 8 ? "its length " + std::to_string(headerLen) + " runs past the " +
                                                       std::to_string(n) + "-byte file: truncated?"
                               : headerLen > (100u << 20) ? "a header of more than 100 MiB"
                                                          : std::string("not a JSON object")) +
                              ")");
    }
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(base + 8, base + 8 + headerLen);
    } catch (const std::exception& e) {
        throw CheckpointError(where + ": damaged safetensors header: " + e.what());
    }
    const std::uint8_t* data = base + 8 + headerLen;
    const std::size_t dataSize = n - 8 - headerLen;
    try {
        for (const auto& [name, spec] : header.items()) {
            if (name == "__metadata__") {
                for (const auto& [k, v] : spec.items()) metadata_[k] = v.get<std::string>();
                continue;
            }
            const std::string dt = spec.at("dtype").get<std::string>();
            const DTypeInfo* info = dtypeFromSafetensors(dt);
            if (!info) throw CheckpointError(where + ": tensor '" + name + "' has unsupported dtype " + dt);
            const DType dtype = info->dtype;
            const auto shape = spec.at("shape").get<std::vector<std::int64_t>>();
            for (auto s : shape)
                if (s < 0) throw CheckpointError(where + ": tensor '" + name + "' has a negative size");
            const auto offsets = spec.at("data_offsets").get<std::vector<std::uint64_t>>();
            if (offsets.size() != 2 || offsets[0] > offsets[1] || offsets[1] > dataSize)
                throw CheckpointError(where + ": tensor '" + name + "' lies outside the file (truncated?)");
            addChecked(tensors_, where, name,
                       {dtype, shape, contiguousStrides(shape), 0, data + offsets[0],
                        static_cast<std::size_t>(offsets[1] - offsets[0])});
        }
    } catch (const nlohmann::json::exception& e) {
        throw CheckpointError(where + ": malformed safetensors header: " + e.what());
    }
}

void writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata) {
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    std::vector<std::uint64_t> sizes;
    for (const TensorToWrite& t : tensors) {
        std::uint64_t numel = 1;
        for (auto s : t.shape) numel *= static_cast<std::uint64_t>(s);
        const std::uint64_t bytes = numel * elementSize(t.dtype);
        header[t.name] = {
            {"dtype", dtypeInfo(t.dtype).safetensors}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
        sizes.push_back(bytes);
        offset += bytes;
    }
    std::string text = header.dump();
    while ((text.size() + 8) % 8) text.push_back(' ');  // align the data section
    const std::string tmp = path + ".partial";
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw CheckpointError("'" + path + "': cannot write: " + std::strerror(errno));
    bool ok = true;
    std::uint8_t len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(text.size()) >> (8 * i));
    ok &= std::fwrite(len, 1, 8, f) == 8;
    ok &= std::fwrite(text.data(), 1, text.size(), f) == text.size();
    for (std::size_t i = 0; i < tensors.size() && ok; ++i)
        ok &= sizes[i] == 0 || std::fwrite(tensors[i].data, 1, sizes[i], f) == sizes[i];
    ok &= std::fflush(f) == 0;
    const int err = errno;
    ok &= std::fclose(f) == 0;
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw CheckpointError("'" + path + "': cannot write: " + std::strerror(err ? err : errno));
    }
}

}  // namespace samtok::checkpoint
