#pragma once
// The text form of SAMTok mask tokens, as MLLMs read and write them:
//   <|mt_start|><|mt_0123|><|mt_0456|><|mt_end|>
// The first code is written as is, the second offset by the codebook size.
// Parsing is tolerant in exactly the official way (the demo's repair rules),
// and says what it repaired or dropped.
#include "tokens/TokenPair.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samtok {

// A pair as found in a text: c1 is kMissingCode when repaired from a one-code group.
struct TokenGroup : TokenPair {
    std::size_t begin = 0;  // byte span of the group in the text
    std::size_t end = 0;
    std::string repair;  // empty, or what was repaired
};

struct TokenParse {
    std::vector<TokenGroup> groups;
    std::vector<std::string> warnings;  // each repair and each dropped group, with its position
};

std::string formatMaskTokens(TokenPair pair, int codebookSize = 256);

// Official repairs: a group with three or more codes keeps the first two; a
// group with one code followed by <|mt_end|>, or by no mask token at all, gets
// a missing second code. Groups that stay incomplete are dropped with a warning.
TokenParse parseMaskTokens(std::string_view text, int codebookSize = 256);

// The first placeholder or control token a multimodal trainer would read as markup rather than text (`<video>`,
// `<audio>`, Qwen's `<|im_end|>`, `<|vision_start|>`, InternVL's `<ref>`, ...); nullopt when the text has none.
// `<image>` is not in the list: its count is checked against the record's images.
std::optional<std::string> trainerMarkupIn(std::string_view text);

// The 514 added vocabulary entries: <|mt_start|>, <|mt_0000|> .. <|mt_{2K-1}|>, <|mt_end|>.
std::vector<std::string> maskTokenVocabulary(int codebookSize = 256);

}  // namespace samtok
