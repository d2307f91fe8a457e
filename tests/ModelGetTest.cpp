// Getting the official models: downloads that arrive whole or not at all, resume where they stopped, name what
// went wrong (an HTTP error, a web page, a cut transfer, no network), and models then usable by name.
#include "CliRun.h"
#include "LocalHttpServer.h"
#include "TestPaths.h"
#include "net/Download.h"
#include "net/ModelCatalog.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <unistd.h>

using namespace samtok;
using samtok::test::LocalHttpServer;
using samtok::test::slurp;
using samtok::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::string bytes(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) % 251);
    return s;
}

// Accepts what the file should hold, as a checkpoint check would.
auto expecting(const std::string& content) {
    return [content](const std::string& part) {
        if (slurp(part) != content) throw UserError("'" + part + "' is not the checkpoint");
    };
}

std::string message(const std::function<void()>& f) {
    try {
        f();
    } catch (const UserError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST(Download, AWholeFileArrivesWithProgressAndNoPartLeft) {
    LocalHttpServer server;
    const std::string body = bytes(300000);
    server.serve("/m.pt", {body});
    TempDir dir;
    std::uint64_t last = 0, total = 0;
    net::DownloadOptions o;
    o.progress = [&](std::uint64_t done, std::uint64_t all) { last = done, total = all; };
    const auto r = net::downloadFile(server.url("/m.pt"), dir.file("sub/m.pt"), expecting(body), o);
    EXPECT_EQ(r.bytes, body.size());
    EXPECT_EQ(slurp(dir.file("sub/m.pt")), body);
    EXPECT_FALSE(fs::exists(dir.file("sub/m.pt.part")));
    EXPECT_EQ(last, body.size());
    EXPECT_EQ(total, body.size());
}

TEST(Download, AnInterruptedDownloadKeepsItsPartAndResumesWithARange) {
    LocalHttpServer server;
    const std::string body = bytes(200000);
    server.serve("/m.pt", {body, "application/octet-stream", 200, 120000});
    TempDir dir;
    const std::string dest = dir.file("m.pt");
    const std::string why = message([&] { net::downloadFile(server.url("/m.pt"), dest, expecting(body)); });
    EXPECT_NE(why.find("stopped early"), std::string::npos) << why;
    EXPECT_NE(why.find("run again to resume"), std::string::npos) << why;
    EXPECT_FALSE(fs::exists(dest));  // never half-written
    EXPECT_EQ(fs::file_size(dest + ".part"), 120000u);

    server.serve("/m.pt", {body});
    const auto r = net::downloadFile(server.url("/m.pt"), dest, expecting(body));
    EXPECT_EQ(r.resumedFrom, 120000u);
    EXPECT_EQ(slurp(dest), body);
    EXPECT_NE(server.requests().back().find("Range: bytes=120000-"), std::string::npos);
}

TEST(Download, AServerThatIgnoresTheRangeStartsTheFileOver) {
    LocalHttpServer server;
    const std::string body = bytes(50000);
    server.serve("/m.pt", {body, "application/octet-stream", 200, std::string::npos, false});
    TempDir dir;
    std::ofstream(dir.file("m.pt.part"), std::ios::binary) << body.substr(0, 1000);
    net::downloadFile(server.url("/m.pt"), dir.file("m.pt"), expecting(body));
    EXPECT_EQ(slurp(dir.file("m.pt")), body);  // not the kept bytes twice
}

TEST(Download, APartThatIsAlreadyWholeIsCheckedAndKept) {
    LocalHttpServer server;
    const std::string body = bytes(30000);
    server.serve("/m.pt", {body});
    TempDir dir;
    std::ofstream(dir.file("m.pt.part"), std::ios::binary) << body;  // cut after the last byte: the server says 416
    const auto r = net::downloadFile(server.url("/m.pt"), dir.file("m.pt"), expecting(body));
    EXPECT_EQ(r.resumedFrom, body.size());
    EXPECT_EQ(slurp(dir.file("m.pt")), body);
}

TEST(Download, ASecondDownloadOfTheSameFileIsRefusedWhileTheFirstRuns) {
    LocalHttpServer server;
    server.serve("/m.pt", {bytes(1000)});
    TempDir dir;
    const int fd = ::open(dir.file("m.pt.part").c_str(), O_WRONLY | O_CREAT, 0644);
    ASSERT_EQ(::flock(fd, LOCK_EX), 0);  // as the first download holds it
    const std::string why = message([&] { net::downloadFile(server.url("/m.pt"), dir.file("m.pt"), expecting("")); });
    EXPECT_NE(why.find("is being downloaded by another window or command"), std::string::npos) << why;
    ::close(fd);
}

TEST(Download, AServerErrorWhileResumingKeepsTheBytesAlreadyThere) {
    LocalHttpServer server;
    server.serve("/m.pt", {"{\"error\": \"busy\"}", "application/json", 503});
    TempDir dir;
    std::ofstream(dir.file("m.pt.part"), std::ios::binary) << bytes(7000);
    const std::string why = message([&] { net::downloadFile(server.url("/m.pt"), dir.file("m.pt"), expecting("")); });
    EXPECT_NE(why.find("HTTP 503"), std::string::npos) << why;
    EXPECT_EQ(fs::file_size(dir.file("m.pt.part")), 7000u);
}

TEST(Download, AWebPageOrAnHttpErrorIsNamedAndLeavesNothing) {
    LocalHttpServer server;
    server.serve("/login.pt", {"<html><body>Please log in</body></html>", "text/html; charset=utf-8"});
    TempDir dir;
    std::string why = message([&] { net::downloadFile(server.url("/login.pt"), dir.file("a.pt"), expecting("")); });
    EXPECT_NE(why.find("a web page"), std::string::npos) << why;
    why = message([&] { net::downloadFile(server.url("/missing.pt"), dir.file("b.pt"), expecting("")); });
    EXPECT_NE(why.find("HTTP 404"), std::string::npos) << why;
    EXPECT_NE(why.find(server.url("/missing.pt")), std::string::npos) << why;
    for (const char* f : {"a.pt", "b.pt"}) EXPECT_FALSE(fs::exists(dir.file(f))) << f;
}

TEST(Download, AFileThatFailsVerificationIsRemovedNotKept) {
    LocalHttpServer server;
    server.serve("/m.pt", {bytes(5000)});  // complete as sent, but not the checkpoint it should be
    TempDir dir;
    const std::string why =
        message([&] { net::downloadFile(server.url("/m.pt"), dir.file("m.pt"), expecting(bytes(9000))); });
    EXPECT_NE(why.find("is not the checkpoint"), std::string::npos) << why;
    EXPECT_FALSE(fs::exists(dir.file("m.pt")));
    EXPECT_FALSE(fs::exists(dir.file("m.pt.part")));
}

TEST(Download, WithNoNetworkItSaysWhatToDownloadByHandAndWhereToPutIt) {
    TempDir dir;
    int closed = 0;
    {
        LocalHttpServer gone;  // a port that was just free: nothing listens there now
        closed = std::stoi(gone.url().substr(gone.url().rfind(':') + 1));
    }
    const std::string url = "http://127.0.0.1:" + std::to_string(closed) + "/m.pt";
    const std::string why = message([&] { net::downloadFile(url, dir.file("m.pt"), expecting("")); });
    EXPECT_NE(why.find("cannot reach " + url), std::string::npos) << why;
    EXPECT_NE(why.find("by hand and put it at '" + dir.file("m.pt") + "'"), std::string::npos) << why;
    EXPECT_FALSE(fs::exists(dir.file("m.pt.part")));  // nothing to resume, nothing left behind
}

TEST(Download, CancellingStopsAndKeepsThePartForLater) {
    LocalHttpServer server;
    server.serve("/m.pt", {bytes(4000000)});
    TempDir dir;
    std::atomic<bool> cancel{false};
    net::DownloadOptions o;
    o.cancel = &cancel;
    o.progress = [&](std::uint64_t done, std::uint64_t) { cancel = cancel || done > 0; };
    const std::string why =
        message([&] { net::downloadFile(server.url("/m.pt"), dir.file("m.pt"), expecting(""), o); });
    EXPECT_NE(why.find("cancelled"), std::string::npos) << why;
    EXPECT_FALSE(fs::exists(dir.file("m.pt")));
}

TEST(ModelGet, TheCliGetsAModelByNameVerifiesItAndThenUsesItByName) {
    LocalHttpServer server;
    const std::string model = slurp(std::string(SAMTOK_SOURCE_DIR) + "/models/samtok-micro.safetensors");
    ASSERT_FALSE(model.empty());
    server.serve("/zhouyik/Qwen3-VL-4B-SAMTok/resolve/main/mask_tokenizer_256x2.pth", {model});
    TempDir data;
    const std::string env = "HF_ENDPOINT=" + server.url() + " XDG_DATA_HOME=" + data.path().string();
    auto before = test::runCli("model info samtok-official", env);
    EXPECT_EQ(before.code, 1);
    EXPECT_NE(before.out.find("samtok model get samtok-official"), std::string::npos) << before.out;

    auto got = test::runCli("model get samtok-official", env);
    ASSERT_EQ(got.code, 0) << got.out;
    EXPECT_NE(got.out.find("downloaded and verified"), std::string::npos) << got.out;
    const fs::path file = data.path() / "samtok" / "models" / "mask_tokenizer_256x2.pth";
    EXPECT_EQ(slurp(file.string()), model);
    EXPECT_EQ(slurp(file.string() + ".sha256").substr(0, 64).size(), 64u);

    auto info = test::runCli("model info samtok-official", env);
    EXPECT_EQ(info.code, 0) << info.out;
    EXPECT_NE(info.out.find("\"can_tokenize\": true"), std::string::npos) << info.out;
    auto again = test::runCli("model get samtok-official", env);
    EXPECT_NE(again.out.find("already there and verified"), std::string::npos) << again.out;
    EXPECT_NE(test::runCli("model list", env).out.find("downloaded"), std::string::npos);

    // A checkpoint without codebooks is not a tokenizer: refused, nothing kept.
    server.serve("/facebook/sam2.1-hiera-tiny/resolve/main/sam2.1_hiera_tiny.pt", {"not a checkpoint at all"});
    auto bad = test::runCli("model get sam2.1-tiny", env);
    EXPECT_EQ(bad.code, 1) << bad.out;
    EXPECT_NE(bad.out.find("does not load"), std::string::npos) << bad.out;
    EXPECT_FALSE(fs::exists(data.path() / "samtok" / "models" / "sam2.1_hiera_tiny.pt"));
}
