// Checkpoints: PyTorch zip archives (the zip reader, the unpickler) and safetensors headers. Every tensor the reader
// accepts must lie inside the file: its first and last storage bytes are read.
#include "FuzzSupport.h"
#include "checkpoint/Checkpoint.h"
#include "util/Error.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = samtok::fuzz::asFile(data, size, ".pt");
    try {
        const samtok::checkpoint::Checkpoint c = samtok::checkpoint::Checkpoint::open(path);
        volatile std::uint8_t sink = 0;
        for (const auto& [name, t] : c.tensors())
            if (t.storage && t.storageBytes) sink = sink ^ t.storage[0] ^ t.storage[t.storageBytes - 1];
    } catch (const samtok::UserError&) {
    }
    return 0;
}
