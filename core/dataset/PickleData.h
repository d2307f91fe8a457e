#pragma once
// Plain data from a Python pickle, as JSON: None, bools, ints, floats,
// strings, bytes (as text), lists, tuples (as lists) and dicts. RefCOCO ships
// its referring expressions as refs(<split>).p; this reads them without Python.
//
// Protocols 0 to 5 are understood, but only the opcodes plain data needs:
// anything that would name or build a Python object (GLOBAL, REDUCE, BUILD,
// INST, OBJ, persistent ids, extensions) is refused with its byte offset
// before anything is built, so a hostile file can do nothing.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace samtok::dataset {

nlohmann::json readPickleData(const std::vector<std::uint8_t>& bytes, const std::string& where);
nlohmann::json readPickleDataFile(const std::string& path);

}  // namespace samtok::dataset
