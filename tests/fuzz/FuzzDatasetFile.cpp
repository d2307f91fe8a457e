// MLLM fine-tuning files as `samtok validate` reads them, with and without each trainer's rules.
#include "FuzzSupport.h"
#include "dataset/Validator.h"
#include "util/Error.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = samtok::fuzz::asFile(data, size, ".jsonl");
    using samtok::exporter::Target;
    for (auto t : {std::optional<Target>(), std::optional<Target>(Target::LlamaFactory),
                   std::optional<Target>(Target::InternVL), std::optional<Target>(Target::Llava)}) {
        samtok::dataset::ValidationOptions o;
        o.target = t;
        o.checkPaths = false;
        try {
            (void)samtok::dataset::validateDataset(path, o);
        } catch (const samtok::UserError&) {
        }
    }
    return 0;
}
