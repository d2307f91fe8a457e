// Replays a fuzz target's corpus without libFuzzer (for the regular gcc build and CI): every file named, or every
// file in the folders named, goes through LLVMFuzzerTestOneInput once. A crash or an escaped exception fails it.
#include "FuzzSupport.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        if (fs::is_directory(argv[i])) {
            for (const auto& e : fs::directory_iterator(argv[i]))
                if (e.is_regular_file()) inputs.push_back(e.path());
        } else {
            inputs.emplace_back(argv[i]);
        }
    }
    for (const auto& p : inputs) {
        std::ifstream in(p, std::ios::binary);
        const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    // The scratch files of this process (a libFuzzer campaign leaves its own, to be looked at after a crash).
    const std::string mine = samtok::fuzz::scratchPrefix() + std::to_string(::getpid());
    const fs::path shm = fs::path(mine).parent_path();
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(shm, ec))
        if (e.path().string().rfind(mine + ".", 0) == 0) fs::remove_all(e.path(), ec);
    std::printf("replayed %zu input(s)\n", inputs.size());
    return inputs.empty() ? 1 : 0;  // an empty corpus replays nothing: say so
}
