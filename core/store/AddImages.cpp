#include "store/AddImages.h"

#include "io/ImageIO.h"
#include "util/Checksum.h"
#include "util/Error.h"

#include <algorithm>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace samtok {
namespace {

bool hasImageExtension(const fs::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    static const std::set<std::string> known{".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"};
    return known.count(ext) > 0;
}

}  // namespace

std::vector<std::string> collectImageFiles(const std::vector<std::string>& paths, bool recursive) {
    std::vector<std::string> out;
    for (const std::string& p : paths) {
        std::error_code ec;
        const fs::file_status st = fs::status(p, ec);
        if (ec || !fs::exists(st)) throw UserError("'" + p + "': no such file or folder");
        if (fs::is_regular_file(st)) {
            out.push_back(p);  // named explicitly: taken whatever its extension
            continue;
        }
        auto visit = [&](const fs::directory_entry& e) {
            if (e.is_regular_file() && hasImageExtension(e.path())) out.push_back(e.path().string());
        };
        if (recursive) {
            for (const auto& e : fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec))
                visit(e);
        } else {
            for (const auto& e : fs::directory_iterator(p, ec)) visit(e);
        }
        if (ec) throw UserError("'" + p + "': cannot list folder: " + ec.message());
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

namespace {

// The project's own files: reading one would open a second descriptor of it, and closing that drops this
// process's SQLite locks (see Database::fileStart).
bool isProjectFile(const ProjectStore& store, const std::string& file) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        if (fs::equivalent(file, store.path() + suffix, ec)) return true;
    return false;
}

}  // namespace

AddImagesReport addImages(ProjectStore& store, const std::vector<std::string>& files,
                          const std::function<bool(std::size_t, std::size_t)>& progress) {
    AddImagesReport report;
    std::vector<NewImage> pending;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < files.size(); ++i) {
        const std::string& f = files[i];
        try {
            if (isProjectFile(store, f)) throw UserError("'" + f + "': is this project's own file, not an image");
            // One read per file: the size comes from the header, the checksum from the same bytes.
            const std::vector<unsigned char> bytes = readFileBytes(f);
            const cv::Size size = imageSizeFromBytes(bytes, f);
            if (size.width <= 0 || size.height <= 0) throw FormatError("'" + f + "': image has no pixels");
            NewImage img{f, size.width, size.height, sha256Bytes(bytes.data(), bytes.size())};
            if (seen.count(img.checksum) || store.findImageByChecksum(img.checksum))
                report.duplicates.push_back(f);
            else {
                seen.insert(img.checksum);
                pending.push_back(std::move(img));
            }
        } catch (const UserError& e) {
            report.failed.emplace_back(f, e.what());
        }
        if (progress && !progress(i + 1, files.size())) {
            report.cancelled = true;
            return report;
        }
    }
    store.transaction([&] {
        for (const NewImage& img : pending) report.added.push_back(store.addImage(img));
    });
    return report;
}

}  // namespace samtok
