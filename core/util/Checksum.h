#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace samtok {

// SHA-256 of a file's bytes as 64 lowercase hex digits. Throws UserError if unreadable.
std::string sha256File(const std::string& path);
std::string sha256Bytes(const void* data, std::size_t size);

}  // namespace samtok
