#pragma once
// Opening a checkpoint file: a PyTorch zip (torch.save of a state dict, or of
// {"model": state_dict}) or a safetensors file, detected from the bytes. The
// result lists every tensor with its dtype, shape and raw bytes, all checked
// against the file's size before anything is read. No LibTorch here.
#include "checkpoint/Unpickler.h"
#include "checkpoint/ZipArchive.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace samtok::checkpoint {

struct StoredTensor {
    DType dtype = DType::Float32;
    std::vector<std::int64_t> sizes;
    std::vector<std::int64_t> strides;  // in elements
    std::uint64_t offset = 0;           // in elements, from `storage`
    const std::uint8_t* storage = nullptr;
    std::size_t storageBytes = 0;
    std::int64_t numel() const;
};

class Checkpoint {
public:
    static Checkpoint open(const std::string& path);

    const std::string& path() const { return path_; }
    const std::string& format() const { return format_; }  // "pytorch-zip" or "safetensors"
    // Names as stored, minus a leading "module." or "hf_model." (training wrappers).
    const std::map<std::string, StoredTensor>& tensors() const { return tensors_; }
    const std::map<std::string, std::string>& metadata() const { return metadata_; }  // safetensors __metadata__

private:
    void readZip(const std::string& where);          // a PyTorch ZIP: data.pkl and its storages
    void readSafetensors(const std::string& where);  // u64 header length, JSON header, data
    std::shared_ptr<const MappedFile> file_;
    std::string path_, format_;
    std::map<std::string, StoredTensor> tensors_;
    std::map<std::string, std::string> metadata_;
};

struct TensorToWrite {
    std::string name;
    DType dtype = DType::Float32;
    std::vector<std::int64_t> shape;
    const void* data = nullptr;  // contiguous, little-endian
};

// Writes a safetensors file (to a temporary name, then renamed, so a full
// disk never leaves a half-written model behind).
void writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace samtok::checkpoint
