#pragma once
// A restricted unpickler for PyTorch state dicts. It knows only the opcodes a
// state dict needs and only these globals: collections.OrderedDict,
// torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter and the
// float / half / bfloat16 storage classes. Anything else (os.system, a
// REDUCE of another callable, an unknown opcode) is refused when it is met,
// before any tensor is built: the result is only a description of tensors.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace samtok::checkpoint {

enum class DType { Float32, Float16, BFloat16 };

// The one table of the tensor types we read: size and their names in each format.
struct DTypeInfo {
    DType dtype;
    std::size_t size;
    const char* torchStorage;  // pickle global, e.g. "torch.FloatStorage"
    const char* safetensors;   // header dtype, e.g. "F32"
};
const DTypeInfo& dtypeInfo(DType t);
const DTypeInfo* dtypeFromTorchStorage(const std::string& global);  // nullptr if unknown
const DTypeInfo* dtypeFromSafetensors(const std::string& name);     // nullptr if unknown
inline std::size_t elementSize(DType t) {
    return dtypeInfo(t).size;
}

struct TensorRef {
    std::string storageKey;  // name of the raw storage (archive/data/<key>)
    DType dtype = DType::Float32;
    std::uint64_t storageNumel = 0;
    std::uint64_t offset = 0;  // in elements
    std::vector<std::int64_t> sizes;
    std::vector<std::int64_t> strides;
};

struct PickleValue;
using PickleRef = std::shared_ptr<PickleValue>;
struct PickleDict {
    std::vector<std::pair<PickleRef, PickleRef>> items;
};
struct PickleGlobal {
    std::string name;  // "module.attr"
};
struct PickleStorage {
    std::string key;
    DType dtype;
    std::uint64_t numel;
};
struct PickleNone {};
struct PickleMark {};

struct PickleValue {
    std::variant<PickleNone, bool, std::int64_t, double, std::string, std::vector<PickleRef>, PickleDict, PickleGlobal,
                 PickleStorage, TensorRef, PickleMark>
        v;
    bool isTuple = false;  // vector holds a tuple (immutable) rather than a list
};

// Parses pickle bytes. `where` names the source in error messages.
PickleRef unpickle(const std::uint8_t* data, std::size_t size, const std::string& where);

// Flattens a state dict: {"name": tensor, ...}, possibly nested under "model"
// or "state_dict". Non-tensor values are ignored (e.g. an "epoch" int).
std::vector<std::pair<std::string, TensorRef>> stateDictTensors(const PickleRef& root, const std::string& where);

}  // namespace samtok::checkpoint
