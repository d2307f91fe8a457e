#include "Npy.h"

#include <fstream>
#include <regex>
#include <stdexcept>

namespace samtok::test {

torch::Tensor readNpy(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::string bytes{std::istreambuf_iterator<char>(in), {}};
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) throw std::runtime_error("not npy: " + path);
    const int major = static_cast<unsigned char>(bytes[6]);
    std::size_t headerLen = 0, start = 0;
    if (major == 1) {
        headerLen = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
        start = 10;
    } else {
        headerLen = 0;
        for (int i = 3; i >= 0; --i) headerLen = (headerLen << 8) | static_cast<unsigned char>(bytes[8 + i]);
        start = 12;
    }
    const std::string header = bytes.substr(start, headerLen);
    std::smatch m;
    if (!std::regex_search(header, m, std::regex("'descr': '([<|>]?[a-z][0-9])'")))
        throw std::runtime_error("descr: " + path);
    const std::string descr = m[1];
    if (header.find("'fortran_order': True") != std::string::npos) throw std::runtime_error("fortran order: " + path);
    std::vector<int64_t> shape;
    if (std::regex_search(header, m, std::regex("'shape': \\(([^)]*)\\)"))) {
        const std::string dims = m[1];
        std::regex num("[0-9]+");
        for (auto it = std::sregex_iterator(dims.begin(), dims.end(), num); it != std::sregex_iterator(); ++it)
            shape.push_back(std::stoll(it->str()));
    }
    torch::ScalarType type;
    if (descr == "<f4")
        type = torch::kFloat32;
    else if (descr == "<i8")
        type = torch::kInt64;
    else if (descr == "|u1" || descr == "<u1")
        type = torch::kUInt8;
    else if (descr == "|b1")
        type = torch::kBool;
    else if (descr == "<i4")
        type = torch::kInt32;
    else
        throw std::runtime_error("dtype " + descr + " in " + path);
    const char* data = bytes.data() + start + headerLen;
    auto t = torch::from_blob(const_cast<char*>(data), shape, torch::TensorOptions().dtype(type)).clone();
    return t;
}

}  // namespace samtok::test
