#include "util/Checksum.h"

#include "util/Error.h"

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <openssl/evp.h>

namespace samtok {
namespace {

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

MdCtx newSha256() {
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL: cannot initialise SHA-256");
    return ctx;
}

std::string finishHex(EVP_MD_CTX* ctx) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, digest.data(), &len);
    static const char* hex = "0123456789abcdef";
    std::string out(len * 2, '0');
    for (unsigned int i = 0; i < len; ++i) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    return out;
}

}  // namespace

std::string sha256Bytes(const void* data, std::size_t size) {
    MdCtx ctx = newSha256();
    EVP_DigestUpdate(ctx.get(), data, size);
    return finishHex(ctx.get());
}

namespace {
std::atomic<std::uint64_t> g_filesHashed{0};
}

std::uint64_t filesHashed() {
    return g_filesHashed.load();
}

std::string sha256File(const std::string& path) {
    ++g_filesHashed;
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw UserError("cannot open '" + path + "': " + std::strerror(errno));
    MdCtx ctx = newSha256();
    std::array<char, 1 << 16> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) EVP_DigestUpdate(ctx.get(), buf.data(), n);
    if (std::ferror(f.get())) throw UserError("cannot read '" + path + "': " + std::strerror(errno));
    return finishHex(ctx.get());
}

}  // namespace samtok
