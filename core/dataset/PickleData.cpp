#include "dataset/PickleData.h"

#include "io/ImageIO.h"
#include "util/Error.h"

#include <cstring>
#include <map>
#include <memory>
#include <variant>

namespace samtok::dataset {
namespace {

struct Node;
using NodeRef = std::shared_ptr<Node>;
struct Mark {};
struct List {
    std::vector<NodeRef> items;
};
struct Dict {
    std::vector<std::pair<NodeRef, NodeRef>> items;
};
struct Node {
    std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, List, Dict, Mark> v;
};

template <typename T>
NodeRef make(T value) {
    auto n = std::make_shared<Node>();
    n->v = std::move(value);
    return n;
}

bool isUtf8(const std::string& b) {
    for (std::size_t i = 0; i < b.size();) {
        const unsigned char c = static_cast<unsigned char>(b[i]);
        const int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
        if (n < 0 || i + static_cast<std::size_t>(n) >= b.size() + (n == 0 ? 1 : 0)) return false;
        for (int k = 1; k <= n; ++k)
            if ((static_cast<unsigned char>(b[i + static_cast<std::size_t>(k)]) >> 6) != 2) return false;
        i += static_cast<std::size_t>(n) + 1;
    }
    return true;
}

// Python 2 str is bytes: keep UTF-8 as it is, read anything else as Latin-1.
std::string bytesAsText(const std::string& b) {
    if (isUtf8(b)) return b;
    std::string out;
    for (unsigned char c : b) {
        if (c < 0x80)
            out += static_cast<char>(c);
        else
            out += static_cast<char>(0xC0 | (c >> 6)), out += static_cast<char>(0x80 | (c & 0x3F));
    }
    return out;
}

void appendUtf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80)
        out += static_cast<char>(cp);
    else if (cp < 0x800)
        out += static_cast<char>(0xC0 | (cp >> 6)), out += static_cast<char>(0x80 | (cp & 0x3F));
    else if (cp < 0x10000)
        out += static_cast<char>(0xE0 | (cp >> 12)), out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
            out += static_cast<char>(0x80 | (cp & 0x3F));
    else
        out += static_cast<char>(0xF0 | (cp >> 18)), out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), out += static_cast<char>(0x80 | (cp & 0x3F));
}

class Reader {
public:
    Reader(const std::vector<std::uint8_t>& b, std::string where) : b_(b), where_(std::move(where)) {}

    NodeRef run() {
        while (true) {
            const std::size_t at = pos_;
            const std::uint8_t op = byte();
            switch (op) {
                case 0x80:
                    byte();
                    break;  // PROTO
                case 0x95:
                    take(8);
                    break;   // FRAME
                case '.': {  // STOP
                    if (stack_.size() != 1)
                        fail(at, "the pickle ends with " + std::to_string(stack_.size()) + " values");
                    return stack_.back();
                }
                case '}':
                    push(make(Dict{}));
                    break;
                case ']':
                    push(make(List{}));
                    break;
                case ')':
                    push(make(List{}));
                    break;
                case '(':
                    push(make(Mark{}));
                    break;
                case 'N':
                    push(make(nullptr));
                    break;
                case 0x88:
                    push(make(true));
                    break;
                case 0x89:
                    push(make(false));
                    break;
                case 'K':
                    push(make(static_cast<std::int64_t>(byte())));
                    break;
                case 'M':
                    push(make(static_cast<std::int64_t>(le(2))));
                    break;
                case 'J':
                    push(make(static_cast<std::int64_t>(static_cast<std::int32_t>(le(4)))));
                    break;
                case 0x8a:
                    push(make(long1(at)));
                    break;
                case 'G': {
                    std::uint64_t bits = 0;
                    for (int i = 0; i < 8; ++i) bits = (bits << 8) | byte();
                    double d;
                    std::memcpy(&d, &bits, 8);
                    push(make(d));
                    break;
                }
                case 'X':
                    push(make(take(le(4))));
                    break;  // BINUNICODE
                case 0x8c:
                    push(make(take(byte())));
                    break;  // SHORT_BINUNICODE
                case 0x8d:
                    push(make(take(le(8))));
                    break;  // BINUNICODE8
                case 'U':
                case 'C':
                    push(make(bytesAsText(take(byte()))));
                    break;  // SHORT_BINSTRING / BINBYTES
                case 'T':
                case 'B':
                    push(make(bytesAsText(take(le(4)))));
                    break;  // BINSTRING / BINBYTES
                case 0x8e:
                    push(make(bytesAsText(take(le(8)))));
                    break;  // BINBYTES8
                case 'q':
                    memo_[byte()] = top(at);
                    break;
                case 'r':
                    memo_[le(4)] = top(at);
                    break;
                case 0x94:
                    memo_[memo_.size()] = top(at);
                    break;
                case 'h':
                    push(get(byte(), at));
                    break;
                case 'j':
                    push(get(le(4), at));
                    break;
                case 't':
                    push(make(List{popMark(at)}));
                    break;
                case 0x85:
                case 0x86:
                case 0x87: {  // TUPLE1..3
                    List l;
                    l.items.resize(static_cast<std::size_t>(op - 0x84));
                    for (auto it = l.items.rbegin(); it != l.items.rend(); ++it) *it = pop(at);
                    push(make(std::move(l)));
                    break;
                }
                case 'a': {
                    auto v = pop(at);
                    list(top(at), at).items.push_back(v);
                    break;
                }
                case 'e': {
                    auto items = popMark(at);
                    auto& l = list(top(at), at);
                    l.items.insert(l.items.end(), items.begin(), items.end());
                    break;
                }
                case 's': {
                    auto v = pop(at), k = pop(at);
                    dict(top(at), at).items.push_back({k, v});
                    break;
                }
                case 'u': {
                    auto items = popMark(at);
                    if (items.size() % 2) fail(at, "SETITEMS with an odd number of values");
                    auto& d = dict(top(at), at);
                    for (std::size_t i = 0; i < items.size(); i += 2) d.items.push_back({items[i], items[i + 1]});
                    break;
                }
                case '0':
                    pop(at);
                    break;
                case '1':
                    popMark(at);
                    break;
                case '2':
                    push(top(at));
                    break;
                // Protocol 0: text opcodes.
                case 'I': {
                    const std::string l = line();
                    if (l == "00" || l == "01")
                        push(make(l == "01"));
                    else
                        push(make(parseInt(l, at)));
                    break;
                }
                case 'L': {
                    std::string l = line();
                    if (!l.empty() && l.back() == 'L') l.pop_back();
                    push(make(parseInt(l, at)));
                    break;
                }
                case 'F': {
                    const std::string l = line();
                    char* end = nullptr;
                    const double d = std::strtod(l.c_str(), &end);
                    if (end == l.c_str()) fail(at, "bad FLOAT '" + l + "'");
                    push(make(d));
                    break;
                }
                case 'S':
                    push(make(bytesAsText(quoted(line(), at))));
                    break;
                case 'V':
                    push(make(rawUnicode(line(), at)));
                    break;
                case 'l':
                    push(make(List{popMark(at)}));
                    break;
                case 'd': {
                    auto items = popMark(at);
                    if (items.size() % 2) fail(at, "DICT with an odd number of values");
                    Dict d;
                    for (std::size_t i = 0; i < items.size(); i += 2) d.items.push_back({items[i], items[i + 1]});
                    push(make(std::move(d)));
                    break;
                }
                case 'p':
                    memo_[static_cast<std::uint64_t>(parseInt(line(), at))] = top(at);
                    break;
                case 'g':
                    push(get(static_cast<std::uint64_t>(parseInt(line(), at)), at));
                    break;
                case 'c':
                case 0x93:
                case 'R':
                case 'b':
                case 'i':
                case 'o':
                case 0x81:
                case 0x92:
                case 'P':
                case 'Q':
                case 0x82:
                case 0x83:
                case 0x84:
                    fail(at, "holds a Python object (opcode 0x" + hex(op) +
                                 "); only plain data (lists, dicts, strings, "
                                 "numbers) is read");
                default:
                    fail(at, "unknown pickle opcode 0x" + hex(op));
            }
        }
    }

private:
    [[noreturn]] void fail(std::size_t at, const std::string& why) const {
        throw FormatError(where_ + ": byte " + std::to_string(at) + ": " + why);
    }
    static std::string hex(std::uint8_t v) {
        const char* d = "0123456789abcdef";
        return {d[v >> 4], d[v & 15]};
    }
    std::uint8_t byte() {
        if (pos_ >= b_.size()) fail(pos_, "the pickle is truncated");
        return b_[pos_++];
    }
    std::uint64_t le(int n) {
        std::uint64_t v = 0;
        for (int i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(byte()) << (8 * i);
        return v;
    }
    std::string take(std::uint64_t n) {
        if (n > b_.size() - pos_) fail(pos_, "a value runs past the end of the pickle");
        std::string s(reinterpret_cast<const char*>(b_.data() + pos_), static_cast<std::size_t>(n));
        pos_ += static_cast<std::size_t>(n);
        return s;
    }
    std::string line() {
        std::string s;
        for (std::uint8_t c = byte(); c != '\n'; c = byte()) s += static_cast<char>(c);
        return s;
    }
    std::int64_t long1(std::size_t at) {
        const std::uint8_t n = byte();
        if (n > 8) fail(at, "an integer wider than 64 bits");
        std::uint64_t v = le(n);
        if (n && n < 8 && (v >> (8 * n - 1)) & 1) v |= ~0ull << (8 * n);  // sign-extend
        return static_cast<std::int64_t>(v);
    }
    std::int64_t parseInt(const std::string& s, std::size_t at) const {
        try {
            std::size_t used = 0;
            const long long v = std::stoll(s, &used);
            if (used != s.size()) throw std::invalid_argument(s);
            return v;
        } catch (const std::exception&) {
            fail(at, "bad integer '" + s + "'");
        }
    }
    std::string quoted(const std::string& l, std::size_t at) const {  // a Python 2 str repr
        if (l.size() < 2 || (l[0] != '\'' && l[0] != '"') || l.back() != l[0]) fail(at, "bad STRING");
        std::string out;
        for (std::size_t i = 1; i + 1 < l.size(); ++i) {
            if (l[i] != '\\') {
                out += l[i];
                continue;
            }
            const char e = l[++i];
            switch (e) {
                case 'n':
                    out += '\n';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 'x':
                    out += static_cast<char>(std::stoi(l.substr(i + 1, 2), nullptr, 16)), i += 2;
                    break;
                default:
                    out += e;
            }
        }
        return out;
    }
    std::string rawUnicode(const std::string& l, std::size_t at) const {
        std::string out;
        for (std::size_t i = 0; i < l.size(); ++i) {
            if (l[i] == '\\' && i + 1 < l.size() && (l[i + 1] == 'u' || l[i + 1] == 'U')) {
                const std::size_t n = l[i + 1] == 'u' ? 4 : 8;
                if (i + 2 + n > l.size()) fail(at, "bad UNICODE escape");
                appendUtf8(out, static_cast<std::uint32_t>(std::stoul(l.substr(i + 2, n), nullptr, 16)));
                i += 1 + n;
            } else {
                const unsigned char c = static_cast<unsigned char>(l[i]);
                if (c < 0x80)
                    out += static_cast<char>(c);
                else
                    appendUtf8(out, c);  // raw-unicode-escape writes code points below 256 as Latin-1 bytes
            }
        }
        return out;
    }
    void push(NodeRef n) {
        if (stack_.size() > 1000000) fail(pos_, "too many values on the stack");
        stack_.push_back(std::move(n));
    }
    NodeRef pop(std::size_t at) {
        if (stack_.empty() || std::holds_alternative<Mark>(stack_.back()->v)) fail(at, "the stack is empty");
        auto n = stack_.back();
        stack_.pop_back();
        return n;
    }
    NodeRef top(std::size_t at) {
        if (stack_.empty()) fail(at, "the stack is empty");
        return stack_.back();
    }
    std::vector<NodeRef> popMark(std::size_t at) {
        std::vector<NodeRef> items;
        while (!stack_.empty() && !std::holds_alternative<Mark>(stack_.back()->v)) {
            items.push_back(stack_.back());
            stack_.pop_back();
        }
        if (stack_.empty()) fail(at, "no MARK");
        stack_.pop_back();
        return {items.rbegin(), items.rend()};
    }
    NodeRef get(std::uint64_t key, std::size_t at) {
        const auto it = memo_.find(key);
        if (it == memo_.end()) fail(at, "memo entry " + std::to_string(key) + " was never stored");
        return it->second;
    }
    List& list(const NodeRef& n, std::size_t at) {
        if (auto* l = std::get_if<List>(&n->v)) return *l;
        fail(at, "APPEND to something that is not a list");
    }
    Dict& dict(const NodeRef& n, std::size_t at) {
        if (auto* d = std::get_if<Dict>(&n->v)) return *d;
        fail(at, "SETITEM on something that is not a dict");
    }

    const std::vector<std::uint8_t>& b_;
    std::string where_;
    std::size_t pos_ = 0;
    std::vector<NodeRef> stack_;
    std::map<std::uint64_t, NodeRef> memo_;
};

nlohmann::json toJson(const NodeRef& n, int depth, const std::string& where) {
    if (depth > 100) throw FormatError(where + ": nested deeper than 100 levels (or a cycle)");
    struct Visit {
        int depth;
        const std::string& where;
        nlohmann::json operator()(std::nullptr_t) const { return nullptr; }
        nlohmann::json operator()(bool b) const { return b; }
        nlohmann::json operator()(std::int64_t i) const { return i; }
        nlohmann::json operator()(double d) const { return d; }
        nlohmann::json operator()(const std::string& s) const { return s; }
        nlohmann::json operator()(const Mark&) const { return nullptr; }
        nlohmann::json operator()(const List& l) const {
            nlohmann::json a = nlohmann::json::array();
            for (const auto& x : l.items) a.push_back(toJson(x, depth + 1, where));
            return a;
        }
        nlohmann::json operator()(const Dict& d) const {
            nlohmann::json o = nlohmann::json::object();
            for (const auto& [k, v] : d.items) {
                const nlohmann::json key = toJson(k, depth + 1, where);
                o[key.is_string() ? key.get<std::string>() : key.dump()] = toJson(v, depth + 1, where);
            }
            return o;
        }
    };
    return std::visit(Visit{depth, where}, n->v);
}

}  // namespace

nlohmann::json readPickleData(const std::vector<std::uint8_t>& bytes, const std::string& where) {
    Reader r(bytes, where);
    return toJson(r.run(), 0, where);
}

nlohmann::json readPickleDataFile(const std::string& path) {
    const auto bytes = readFileBytes(path);
    return readPickleData(std::vector<std::uint8_t>(bytes.begin(), bytes.end()), "'" + path + "'");
}

}  // namespace samtok::dataset
