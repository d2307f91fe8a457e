#include "checkpoint/Unpickler.h"

#include "checkpoint/CheckpointError.h"

#include <cstring>
#include <set>

namespace samtok::checkpoint {

namespace {
constexpr DTypeInfo kDTypes[] = {
    {DType::Float32, 4, "torch.FloatStorage", "F32"},
    {DType::Float16, 2, "torch.HalfStorage", "F16"},
    {DType::BFloat16, 2, "torch.BFloat16Storage", "BF16"},
};
}  // namespace

const DTypeInfo& dtypeInfo(DType t) {
    return kDTypes[static_cast<std::size_t>(t)];
}

const DTypeInfo* dtypeFromTorchStorage(const std::string& global) {
    for (const DTypeInfo& d : kDTypes)
        if (global == d.torchStorage) return &d;
    return nullptr;
}

const DTypeInfo* dtypeFromSafetensors(const std::string& name) {
    for (const DTypeInfo& d : kDTypes)
        if (name == d.safetensors) return &d;
    return nullptr;
}

namespace {

constexpr std::size_t kMaxStack = 1 << 20;
constexpr std::size_t kMaxMemo = 1 << 22;
constexpr int kMaxDims = 16;

class Parser {
public:
    Parser(const std::uint8_t* d, std::size_t n, std::string where) : d_(d), n_(n), where_(std::move(where)) {}

    PickleRef run() {
        for (;;) {
            const std::size_t at = pos_;
            const std::uint8_t op = byte();
            switch (op) {
                case 0x80:
                    byte();
                    break;  // PROTO
                case 0x95:
                    bytes(8);
                    break;  // FRAME
                case '.':   // STOP
                    if (stack_.size() != 1) fail(at, "pickle ends with a malformed stack");
                    return stack_.back();
                case '}':
                    push(make(PickleDict{}));
                    break;  // EMPTY_DICT
                case ']':
                    push(make(std::vector<PickleRef>{}));
                    break;  // EMPTY_LIST
                case ')':
                    push(tuple({}));
                    break;  // EMPTY_TUPLE
                case '(':
                    push(make(PickleMark{}));
                    break;  // MARK
                case 'N':
                    push(make(PickleNone{}));
                    break;
                case 0x88:
                    push(make(true));
                    break;  // NEWTRUE
                case 0x89:
                    push(make(false));
                    break;  // NEWFALSE
                case 'K':
                    push(make(static_cast<std::int64_t>(byte())));
                    break;   // BININT1
                case 'M': {  // BININT2
                    const auto* p = bytes(2);
                    push(make(static_cast<std::int64_t>(p[0] | (p[1] << 8))));
                    break;
                }
                case 'J': {  // BININT
                    std::int32_t v;
                    std::memcpy(&v, bytes(4), 4);
                    push(make(static_cast<std::int64_t>(v)));
                    break;
                }
                case 0x8a: {  // LONG1
                    const std::size_t len = byte();
                    if (len > 8) fail(at, "integer too large");
                    const auto* p = bytes(len);
                    std::int64_t v = 0;
                    for (std::size_t i = 0; i < len; ++i) v |= static_cast<std::int64_t>(p[i]) << (8 * i);
                    if (len > 0 && len < 8 && (p[len - 1] & 0x80)) v -= static_cast<std::int64_t>(1) << (8 * len);
                    push(make(v));
                    break;
                }
                case 'G': {  // BINFLOAT (big-endian)
                    const auto* p = bytes(8);
                    std::uint64_t bits = 0;
                    for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];
                    double v;
                    std::memcpy(&v, &bits, 8);
                    push(make(v));
                    break;
                }
                case 'X':
                    push(make(str(u32())));
                    break;  // BINUNICODE
                case 0x8c:
                    push(make(str(byte())));
                    break;  // SHORT_BINUNICODE
                case 'q':
                    memoPut(byte());
                    break;  // BINPUT
                case 'r':
                    memoPut(u32());
                    break;  // LONG_BINPUT
                case 0x94:
                    memoPut(memo_.size());
                    break;  // MEMOIZE
                case 'h':
                    push(memoGet(byte(), at));
                    break;  // BINGET
                case 'j':
                    push(memoGet(u32(), at));
                    break;  // LONG_BINGET
                case 't':
                    push(tuple(popMark(at)));
                    break;  // TUPLE
                case 0x85: {
                    auto a = pop(at);
                    push(tuple({a}));
                    break;
                }
                case 0x86: {
                    auto b = pop(at), a = pop(at);
                    push(tuple({a, b}));
                    break;
                }
                case 0x87: {
                    auto c = pop(at), b = pop(at), a = pop(at);
                    push(tuple({a, b, c}));
                    break;
                }
                case 'c': {  // GLOBAL
                    const std::string module = line(at), name = line(at);
                    push(global(module, name, at));
                    break;
                }
                case 0x93: {  // STACK_GLOBAL
                    auto name = pop(at), module = pop(at);
                    push(global(asString(module, at), asString(name, at), at));
                    break;
                }
                case 'Q':
                    push(persistent(pop(at), at));
                    break;   // BINPERSID
                case 'R': {  // REDUCE
                    auto args = pop(at), fn = pop(at);
                    push(reduce(fn, args, at));
                    break;
                }
                case 's': {  // SETITEM
                    auto v = pop(at), k = pop(at);
                    dictOf(top(at), at).items.emplace_back(k, v);
                    break;
                }
                case 'u': {  // SETITEMS
                    auto items = popMark(at);
                    if (items.size() % 2) fail(at, "odd number of dict items");
                    auto& dict = dictOf(top(at), at);
                    for (std::size_t i = 0; i < items.size(); i += 2) dict.items.emplace_back(items[i], items[i + 1]);
                    break;
                }
                case 'a': {  // APPEND
                    auto v = pop(at);
                    listOf(top(at), at).push_back(v);
                    break;
                }
                case 'e': {  // APPENDS
                    auto items = popMark(at);
                    auto& list = listOf(top(at), at);
                    list.insert(list.end(), items.begin(), items.end());
                    break;
                }
                case 'b': {  // BUILD: only dicts' attribute state (_metadata)
                    pop(at);
                    if (!std::holds_alternative<PickleDict>(top(at)->v))
                        fail(at, "BUILD on something other than a dict");
                    break;
                }
                default:
                    fail(at, "opcode 0x" + hex(op) + " is not allowed in a state dict");
            }
        }
    }

private:
    [[noreturn]] void fail(std::size_t at, const std::string& what) const {
        throw CheckpointError(where_ + ": refused pickle at byte " + std::to_string(at) + ": " + what);
    }
    static std::string hex(std::uint8_t b) {
        const char* h = "0123456789abcdef";
        return {h[b >> 4], h[b & 15]};
    }
    std::uint8_t byte() {
        if (pos_ >= n_) fail(pos_, "unexpected end of pickle data (truncated)");
        return d_[pos_++];
    }
    const std::uint8_t* bytes(std::size_t k) {
        if (k > n_ - pos_) fail(pos_, "unexpected end of pickle data (truncated)");
        const auto* p = d_ + pos_;
        pos_ += k;
        return p;
    }
    std::uint32_t u32() {
        const auto* p = bytes(4);
        return static_cast<std::uint32_t>(p[0]) | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
    }
    std::string str(std::size_t len) {
        const auto* p = bytes(len);
        return std::string(reinterpret_cast<const char*>(p), len);
    }
    std::string line(std::size_t at) {
        std::string s;
        for (;;) {
            const char c = static_cast<char>(byte());
            if (c == '\n') return s;
            if (s.size() > 256) fail(at, "overlong global name");
            s.push_back(c);
        }
    }
    template <typename T>
    static PickleRef make(T v) {
        auto r = std::make_shared<PickleValue>();
        r->v = std::move(v);
        return r;
    }
    static PickleRef tuple(std::vector<PickleRef> items) {
        auto r = make(std::move(items));
        r->isTuple = true;
        return r;
    }
    void push(PickleRef v) {
        if (stack_.size() >= kMaxStack) fail(pos_, "pickle stack too deep");
        stack_.push_back(std::move(v));
    }
    PickleRef pop(std::size_t at) {
        if (stack_.empty() || std::holds_alternative<PickleMark>(stack_.back()->v)) fail(at, "pickle stack underflow");
        auto v = stack_.back();
        stack_.pop_back();
        return v;
    }
    const PickleRef& top(std::size_t at) {
        if (stack_.empty()) fail(at, "pickle stack underflow");
        return stack_.back();
    }
    std::vector<PickleRef> popMark(std::size_t at) {
        std::size_t i = stack_.size();
        while (i > 0 && !std::holds_alternative<PickleMark>(stack_[i - 1]->v)) --i;
        if (i == 0) fail(at, "no MARK on the pickle stack");
        std::vector<PickleRef> items(stack_.begin() + static_cast<std::ptrdiff_t>(i), stack_.end());
        stack_.resize(i - 1);
        return items;
    }
    void memoPut(std::size_t idx) {
        if (idx >= kMaxMemo) fail(pos_, "memo index too large");
        memo_[idx] = top(pos_);
    }
    PickleRef memoGet(std::size_t idx, std::size_t at) {
        auto it = memo_.find(idx);
        if (it == memo_.end()) fail(at, "reference to an unknown memo entry");
        return it->second;
    }
    std::string asString(const PickleRef& v, std::size_t at) {
        if (auto* s = std::get_if<std::string>(&v->v)) return *s;
        fail(at, "expected a string");
    }
    PickleDict& dictOf(const PickleRef& v, std::size_t at) {
        if (auto* d = std::get_if<PickleDict>(&v->v)) return *d;
        fail(at, "SETITEM on something other than a dict");
    }
    std::vector<PickleRef>& listOf(const PickleRef& v, std::size_t at) {
        auto* l = std::get_if<std::vector<PickleRef>>(&v->v);
        if (!l || v->isTuple) fail(at, "APPEND on something other than a list");
        return *l;
    }
    PickleRef global(const std::string& module, const std::string& name, std::size_t at) {
        static const std::set<std::string> allowed{"collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
                                                   "torch._utils._rebuild_parameter"};
        const std::string full = module + "." + name;
        if (!allowed.count(full) && !dtypeFromTorchStorage(full))
            fail(at, "forbidden global '" + full + "' (a state dict never needs it)");
        return make(PickleGlobal{full});
    }
    std::int64_t asInt(const PickleRef& v, std::size_t at) {
        if (auto* i = std::get_if<std::int64_t>(&v->v)) return *i;
        fail(at, "expected an integer");
    }
    const std::vector<PickleRef>& asTuple(const PickleRef& v, std::size_t at) {
        auto* t = std::get_if<std::vector<PickleRef>>(&v->v);
        if (!t || !v->isTuple) fail(at, "expected a tuple");
        return *t;
    }
    PickleRef persistent(const PickleRef& pid, std::size_t at) {
        // ('storage', <storage class>, key, location, numel)
        const auto& t = asTuple(pid, at);
        if (t.size() != 5 || asString(t[0], at) != "storage") fail(at, "unsupported persistent id");
        auto* cls = std::get_if<PickleGlobal>(&t[1]->v);
        if (!cls) fail(at, "storage class is not a global");
        const DTypeInfo* info = dtypeFromTorchStorage(cls->name);
        if (!info) fail(at, "storage class '" + cls->name + "' is not allowed");
        const DType dt = info->dtype;
        const std::string key = asString(t[2], at);
        if (key.empty() || key.find('/') != std::string::npos || key.find("..") != std::string::npos)
            fail(at, "invalid storage key '" + key + "'");
        const std::int64_t numel = asInt(t[4], at);
        if (numel < 0) fail(at, "negative storage size");
        return make(PickleStorage{key, dt, static_cast<std::uint64_t>(numel)});
    }
    std::vector<std::int64_t> intTuple(const PickleRef& v, std::size_t at) {
        const auto& t = asTuple(v, at);
        if (t.size() > kMaxDims) fail(at, "too many tensor dimensions");
        std::vector<std::int64_t> out;
        for (const auto& e : t) {
            const std::int64_t i = asInt(e, at);
            if (i < 0) fail(at, "negative tensor size or stride");
            out.push_back(i);
        }
        return out;
    }
    PickleRef reduce(const PickleRef& fn, const PickleRef& args, std::size_t at) {
        auto* g = std::get_if<PickleGlobal>(&fn->v);
        if (!g) fail(at, "REDUCE of something that is not an allowed global");
        const auto& a = asTuple(args, at);
        if (g->name == "collections.OrderedDict") {
            if (!a.empty()) fail(at, "OrderedDict with arguments");
            return make(PickleDict{});
        }
        if (g->name == "torch._utils._rebuild_tensor_v2") {
            if (a.size() < 4) fail(at, "_rebuild_tensor_v2 with too few arguments");
            auto* st = std::get_if<PickleStorage>(&a[0]->v);
            if (!st) fail(at, "_rebuild_tensor_v2 without a storage");
            TensorRef t{st->key,
                        st->dtype,
                        st->numel,
                        static_cast<std::uint64_t>(asInt(a[1], at)),
                        intTuple(a[2], at),
                        intTuple(a[3], at)};
            if (t.sizes.size() != t.strides.size()) fail(at, "tensor sizes and strides differ in length");
            return make(std::move(t));
        }
        if (g->name == "torch._utils._rebuild_parameter") {
            if (a.empty() || !std::holds_alternative<TensorRef>(a[0]->v))
                fail(at, "_rebuild_parameter without a tensor");
            return a[0];
        }
        fail(at, "REDUCE of '" + g->name + "' is not allowed");
    }

    const std::uint8_t* d_;
    std::size_t n_;
    std::string where_;
    std::size_t pos_ = 0;
    std::vector<PickleRef> stack_;
    std::map<std::size_t, PickleRef> memo_;
};

void collect(const PickleDict& dict, const std::string& where, std::vector<std::pair<std::string, TensorRef>>& out) {
    for (const auto& [k, v] : dict.items) {
        auto* key = std::get_if<std::string>(&k->v);
        if (!key) continue;
        if (auto* t = std::get_if<TensorRef>(&v->v)) out.emplace_back(*key, *t);
    }
}

}  // namespace

PickleRef unpickle(const std::uint8_t* data, std::size_t size, const std::string& where) {
    return Parser(data, size, where).run();
}

std::vector<std::pair<std::string, TensorRef>> stateDictTensors(const PickleRef& root, const std::string& where) {
    auto* dict = std::get_if<PickleDict>(&root->v);
    if (!dict) throw CheckpointError(where + ": the checkpoint is not a dict of tensors");
    // {"model": state_dict} (SAM2 .pt) or {"state_dict": ...} (training wrappers).
    for (const char* wrapper : {"model", "state_dict"}) {
        for (const auto& [k, v] : dict->items) {
            auto* key = std::get_if<std::string>(&k->v);
            auto* inner = std::get_if<PickleDict>(&v->v);
            if (key && inner && *key == wrapper) return stateDictTensors(v, where);
        }
    }
    std::vector<std::pair<std::string, TensorRef>> out;
    collect(*dict, where, out);
    if (out.empty()) throw CheckpointError(where + ": the checkpoint holds no tensors");
    return out;
}

}  // namespace samtok::checkpoint
