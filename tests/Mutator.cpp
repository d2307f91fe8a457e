#include "Mutator.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <vector>

namespace samtok::test {

namespace {

// Values that break length, count and offset fields.
constexpr std::uint64_t kBoundaries[] = {0,
                                         1,
                                         2,
                                         0x7f,
                                         0x80,
                                         0xff,
                                         0x7fff,
                                         0x8000,
                                         0xffff,
                                         0x7fffffff,
                                         0x80000000,
                                         0xfffffffe,
                                         0xffffffff,
                                         0x7fffffffffffffffULL,
                                         0xffffffffffffffffULL};

void writeLittleEndian(std::string& s, std::size_t at, std::uint64_t v, int width) {
    for (int i = 0; i < width && at + i < s.size(); ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

struct Node {
    nlohmann::json* value;
    nlohmann::json* parent;  // nullptr for the root
    std::string key;         // in an object parent
    std::size_t index = 0;   // in an array parent
};

void collect(nlohmann::json& j, nlohmann::json* parent, const std::string& key, std::size_t index,
             std::vector<Node>& out) {
    out.push_back({&j, parent, key, index});
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) collect(it.value(), &j, it.key(), 0, out);
    } else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i) collect(j[i], &j, {}, i, out);
    }
}

}  // namespace

void Mutator::mutateOnce(std::string& s, std::size_t focusBegin, std::size_t focusEnd) {
    focusEnd = std::min(focusEnd, s.size());
    const bool focused = focusBegin < focusEnd && chance(0.5);
    const std::size_t lo = focused ? focusBegin : 0;
    const std::size_t hi = focused ? focusEnd : s.size();
    const std::size_t at = lo + below(hi - lo);
    switch (below(9)) {
        case 0:
            if (at < s.size()) s[at] = static_cast<char>(s[at] ^ (1 << below(8)));
            break;
        case 1:
            if (at < s.size()) s[at] = static_cast<char>(kBoundaries[below(6)]);
            break;
        case 2:
            writeLittleEndian(s, at, kBoundaries[below(std::size(kBoundaries))], 4);
            break;
        case 3:
            writeLittleEndian(s, at, kBoundaries[below(std::size(kBoundaries))], 8);
            break;
        case 4:
            s.resize(at);
            break;
        case 5:
            s.erase(at, 1 + below(64));
            break;
        case 6: {
            std::string junk(1 + below(16), '\0');
            for (auto& c : junk) c = static_cast<char>(below(256));
            s.insert(at, junk);
            break;
        }
        case 7: {
            const std::size_t len = std::min<std::size_t>(1 + below(256), s.size() - at);
            s.insert(at, s.substr(at, len));
            break;
        }
        default: {
            // A digit run made huge or negative: counts, sizes and coordinates in text formats.
            static const char* kNumbers[] = {"-1", "0", "4294967296", "99999999999999999999", "1e308", "-0", "nan"};
            s.insert(at, kNumbers[below(std::size(kNumbers))]);
            break;
        }
    }
}

std::string Mutator::bytes(std::string s, std::size_t focusBegin, std::size_t focusEnd) {
    const std::size_t n = 1 + below(4);
    for (std::size_t i = 0; i < n; ++i) mutateOnce(s, focusBegin, focusEnd);
    return s;
}

nlohmann::json Mutator::extremeValue() {
    switch (below(14)) {
        case 0:
            return nullptr;
        case 1:
            return -1;
        case 2:
            return 0;
        case 3:
            return std::numeric_limits<std::int64_t>::max();
        case 4:
            return std::numeric_limits<std::uint64_t>::max();
        case 5:
            return 1e308;
        case 6:
            return -1e308;
        case 7:
            return 2147483648.0;
        case 8:
            return "";
        case 9:
            return "../../../etc/passwd";
        case 10:
            return nlohmann::json::array();
        case 11:
            return nlohmann::json::object();
        case 12:
            return true;
        default: {
            nlohmann::json deep = 1;
            for (int i = 0; i < 200; ++i) deep = nlohmann::json::array({deep});
            return deep;
        }
    }
}

std::string Mutator::json(nlohmann::json j) {
    const std::size_t n = 1 + below(3);
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<Node> nodes;
        collect(j, nullptr, {}, 0, nodes);
        const Node& node = nodes[below(nodes.size())];
        const std::size_t op = below(4);
        if (op == 0 && node.parent && node.parent->is_object()) {
            node.parent->erase(node.key);
        } else if (op == 1 && node.parent && node.parent->is_array()) {
            node.parent->erase(node.index);
        } else if (op == 2 && node.value->is_number()) {
            *node.value = node.value->get<double>() * (chance(0.5) ? -1.0 : 1e12);
        } else {
            *node.value = extremeValue();
        }
    }
    std::string text = j.dump();
    if (chance(0.2)) text = bytes(std::move(text));
    return text;
}

int mutationRounds(int fallback) {
    if (const char* v = std::getenv("SAMTOK_MUTATIONS"); v && *v) return std::max(1, std::atoi(v));
    return fallback;
}

}  // namespace samtok::test
