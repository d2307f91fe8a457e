#pragma once
// A small HTTP/1.1 server on 127.0.0.1 for download tests: it serves set replies, honours "Range: bytes=N-" (or
// not, when told), can cut a body short after a number of bytes, and records every request head it got.
#include <arpa/inet.h>
#include <atomic>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace samtok::test {

class LocalHttpServer {
public:
    struct Reply {
        std::string body;
        std::string type = "application/octet-stream";
        int status = 200;
        std::size_t cutAfter = std::string::npos;  // close the connection after this many body bytes
        bool honourRange = true;
    };

    LocalHttpServer() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = 0;
        socklen_t len = sizeof a;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 8) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("cannot start the local HTTP server");
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { loop(); });
    }
    ~LocalHttpServer() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }

    std::string url(const std::string& path = "") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
    void serve(const std::string& path, Reply r) {
        std::lock_guard<std::mutex> lock(mutex_);
        replies_[path] = std::move(r);
    }
    std::vector<std::string> requests() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }

private:
    void loop() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c >= 0) answer(c);
        }
    }

    void answer(int c) {
        std::string head;
        char buf[4096];
        while (head.find("\r\n\r\n") == std::string::npos) {
            const ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) break;
            head.append(buf, static_cast<std::size_t>(n));
        }
        Reply r;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            requests_.push_back(head);
            const std::size_t a = head.find(' '), b = head.find(' ', a + 1);
            const std::string path = a == std::string::npos ? "" : head.substr(a + 1, b - a - 1);
            auto it = replies_.find(path);
            r = it == replies_.end() ? Reply{"not here", "text/plain", 404} : it->second;
        }
        std::size_t from = 0;
        const std::size_t range = head.find("Range: bytes=");
        if (range != std::string::npos && r.honourRange && r.status == 200) from = std::stoul(head.substr(range + 13));
        std::string out;
        if (from > 0 && from >= r.body.size()) {
            out = "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        } else {
            const std::string body = r.body.substr(from);
            out = "HTTP/1.1 " + std::to_string(from ? 206 : r.status) + " X\r\nContent-Type: " + r.type +
                  "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n";
            if (from)
                out += "Content-Range: bytes " + std::to_string(from) + "-" + std::to_string(r.body.size() - 1) + "/" +
                       std::to_string(r.body.size()) + "\r\n";
            out += "\r\n" + body.substr(0, r.cutAfter);
        }
        for (std::size_t sent = 0; sent < out.size();) {
            const ssize_t n = ::send(c, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) break;
            sent += static_cast<std::size_t>(n);
        }
        ::close(c);
    }

    int fd_ = -1, port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    mutable std::mutex mutex_;
    std::map<std::string, Reply> replies_;
    std::vector<std::string> requests_;
};

}  // namespace samtok::test
