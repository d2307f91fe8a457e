// Model answers with mask tokens: the parser and the markup check read any text.
#include "tokens/TokenText.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (int k : {256, 1, 4096}) (void)samtok::parseMaskTokens(text, k);
    (void)samtok::trainerMarkupIn(text);
    return 0;
}
