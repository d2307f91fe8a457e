#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace samtok {

// SHA-256 of a file's bytes as 64 lowercase hex digits. Throws UserError if unreadable.
std::string sha256File(const std::string& path);
// How many files this process has hashed so far: a checkpoint of 900 MB must be hashed once per load, not once
// per edit (tests count it).
std::uint64_t filesHashed();
std::string sha256Bytes(const void* data, std::size_t size);

}  // namespace samtok
