#pragma once
// Standard base64 (RFC 4648, with padding), as LabelMe stores PNG masks.
#include <string>
#include <vector>

namespace samtok {

std::string base64Encode(const std::vector<unsigned char>& bytes);
// Skips whitespace; throws FormatError on any other character outside the alphabet.
std::vector<unsigned char> base64Decode(const std::string& text);

}  // namespace samtok
