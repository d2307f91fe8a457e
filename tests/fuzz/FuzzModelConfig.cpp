// Model configs (JSON): a config that loads must describe a model the engine can build.
#include "model/ModelConfig.h"

#include <cstdint>
#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto c = samtok::model::configFromJson(std::string(reinterpret_cast<const char*>(data), size));
        (void)samtok::model::configToJson(c);
    } catch (const std::invalid_argument&) {  // the documented refusal
    }
    return 0;
}
