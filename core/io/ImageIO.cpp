#include "io/ImageIO.h"

#include "mask/MaskCv.h"
#include "util/Error.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <png.h>

#include <cctype>
#include <cerrno>
#include <csetjmp>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

namespace samtok {
namespace {

std::string quoted(const std::string& path) {
    return "'" + path + "'";
}

std::vector<unsigned char> readBytes(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw UserError(quoted(path) + ": " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw UserError(quoted(path) + ": is a directory, not an image");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UserError(quoted(path) + ": cannot open: " + std::strerror(errno));
    std::vector<unsigned char> bytes(static_cast<std::size_t>(st.st_size));
    if (!bytes.empty() && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
        throw UserError(quoted(path) + ": read error");
    if (bytes.empty()) throw FormatError(quoted(path) + ": empty file, not an image");
    return bytes;
}

bool startsWith(const std::vector<unsigned char>& b, const char* magic, std::size_t n, std::size_t offset = 0) {
    return b.size() >= offset + n && std::memcmp(b.data() + offset, magic, n) == 0;
}

std::string sniffFormat(const std::vector<unsigned char>& b, const std::string& path) {
    if (startsWith(b, "\x89PNG\r\n\x1a\n", 8)) return "png";
    if (startsWith(b, "\xff\xd8\xff", 3)) return "jpeg";
    if (startsWith(b, "BM", 2)) return "bmp";
    if (startsWith(b, "II*\0", 4) || startsWith(b, "MM\0*", 4)) return "tiff";
    if (startsWith(b, "RIFF", 4) && startsWith(b, "WEBP", 4, 8)) return "webp";
    if (startsWith(b, "GIF8", 4)) throw FormatError(quoted(path) + ": GIF images are not supported; convert to PNG");
    throw FormatError(quoted(path) + ": not a supported image (PNG, JPEG, BMP, TIFF or WebP)");
}

// A JPEG cut short decodes with grey filler and only a libjpeg warning; refuse it.
void requireJpegEnd(const std::vector<unsigned char>& b, const std::string& path) {
    const std::size_t tail = std::min<std::size_t>(b.size(), 4096);
    for (std::size_t i = b.size() - tail; i + 1 < b.size(); ++i)
        if (b[i] == 0xFF && b[i + 1] == 0xD9) return;
    throw FormatError(quoted(path) + ": truncated JPEG (no end-of-image marker)");
}

// Every chunk of a PNG must fit in the file. libpng allocates and clears a chunk's declared length before it reads
// it: a 72-byte file whose ancillary chunk claims 1.2 GB cost 12 s and 1.4 GB of memory before failing (found by
// fuzzing). Checked here, such a file is refused at once, by name.
void requirePngChunksInFile(const std::vector<unsigned char>& b, const std::string& path) {
    std::size_t p = 8;  // after the signature
    while (p + 8 <= b.size()) {
        const std::uint32_t length =
            (static_cast<std::uint32_t>(b[p]) << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
        std::string type;  // printable, for the message
        for (int i = 4; i < 8; ++i) type += std::isprint(b[p + i]) ? static_cast<char>(b[p + i]) : '?';
        const std::size_t left = b.size() - p - 8;
        if (length > 0x7FFFFFFFu || length + std::uint64_t{4} > left)
            throw FormatError(quoted(path) + ": truncated or damaged PNG (its '" + type + "' chunk claims " +
                              std::to_string(length) + " bytes; the file has " + std::to_string(left) + " left)");
        if (type == "IEND") return;
        p += 8 + length + 4;
    }
}

// What the decoders would not say, or would say only after much work: a JPEG cut short, a PNG chunk running past
// the end. Checked wherever an image's bytes are first looked at (added, read, or read as a mask).
void requireWholeFile(const std::vector<unsigned char>& bytes, const std::string& format, const std::string& path) {
    if (format == "jpeg") requireJpegEnd(bytes, path);
    if (format == "png") requirePngChunksInFile(bytes, path);
}

cv::Mat decode(const std::vector<unsigned char>& bytes, const std::string& path, int flags) {
    cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<unsigned char*>(bytes.data()));
    cv::Mat img;
    try {
        img = cv::imdecode(raw, flags);
    } catch (const cv::Exception& e) {
        throw FormatError(quoted(path) + ": corrupt image data (" + e.msg + ")");
    }
    if (img.empty()) throw FormatError(quoted(path) + ": corrupt or truncated image data");
    return img;
}

bool isPalettePng(const std::vector<unsigned char>& b) {
    // Signature (8) + chunk length (4) + "IHDR" (4) + width, height (8) + bit depth (1) -> colour type.
    return b.size() > 25 && startsWith(b, "IHDR", 4, 12) && b[25] == 3;
}

// OpenCV's own limit on decoded pixels (CV_IO_MAX_IMAGE_PIXELS), kept for the
// decoders that bypass it: a header may claim any size, and is checked before
// anything is allocated.
constexpr std::uint64_t kMaxImagePixels = 1ULL << 30;

struct PngSource {
    const std::vector<unsigned char>* bytes;
    std::size_t pos;
    std::string error;  // libpng's message, for ours
};

// Palette PNG -> indices. OpenCV expands palettes to colours, so libpng is used directly.
cv::Mat readPaletteIndices(const std::vector<unsigned char>& bytes, const std::string& path) {
    PngSource src{&bytes, 0, {}};
    // Errors jump back here with their message; nothing is printed.
    const auto onError = [](png_structp p, png_const_charp message) {
        static_cast<PngSource*>(png_get_error_ptr(p))->error = message;
        png_longjmp(p, 1);
    };
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, onError, [](png_structp, png_const_charp) {});
    if (!png) throw std::runtime_error("libpng: out of memory");
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_read_struct(&png, nullptr, nullptr);
        throw std::runtime_error("libpng: out of memory");
    }
    // Declared before setjmp: a longjmp skips no constructor or destructor (their addresses
    // escape to libpng, so their values survive it too).
    cv::Mat indices;
    std::vector<png_bytep> rows;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, nullptr);
        throw FormatError(quoted(path) + ": corrupt or truncated PNG data" +
                          (src.error.empty() ? std::string() : " (" + src.error + ")"));
    }
    png_set_read_fn(png, &src, [](png_structp p, png_bytep out, png_size_t n) {
        auto* s = static_cast<PngSource*>(png_get_io_ptr(p));
        if (s->pos + n > s->bytes->size()) png_error(p, "unexpected end of file");
        std::memcpy(out, s->bytes->data() + s->pos, n);
        s->pos += n;
    });
    png_read_info(png, info);
    const png_uint_32 w = png_get_image_width(png, info);
    const png_uint_32 h = png_get_image_height(png, info);
    if (static_cast<std::uint64_t>(w) * h > kMaxImagePixels) png_error(png, "the header claims more than 2^30 pixels");
    png_set_packing(png);  // 1, 2 and 4-bit indices become one byte each
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != w) png_error(png, "not one byte per pixel after unpacking");
    indices.create(static_cast<int>(h), static_cast<int>(w), CV_8UC1);
    rows.resize(h);
    for (png_uint_32 y = 0; y < h; ++y) rows[y] = indices.ptr<png_byte>(static_cast<int>(y));
    png_read_image(png, rows.data());
    png_read_end(png, nullptr);
    png_destroy_read_struct(&png, &info, nullptr);
    return indices;
}

std::uint32_t readU32(const unsigned char* p, bool le) {
    return le ? (p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24))
              : ((static_cast<std::uint32_t>(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3]);
}
std::uint16_t readU16(const unsigned char* p, bool le) {
    return static_cast<std::uint16_t>(le ? (p[0] | (p[1] << 8)) : ((p[0] << 8) | p[1]));
}

}  // namespace

int exifOrientation(const std::vector<unsigned char>& b) {
    std::size_t p = 2;  // after SOI
    while (p + 4 <= b.size() && b[p] == 0xFF) {
        const unsigned char marker = b[p + 1];
        const std::size_t len = (b[p + 2] << 8) | b[p + 3];
        if (marker == 0xDA || len < 2) break;  // start of scan: no more metadata
        const std::size_t seg = p + 4;
        if (marker == 0xE1 && seg + 14 <= b.size() && std::memcmp(b.data() + seg, "Exif\0\0", 6) == 0) {
            const std::size_t tiff = seg + 6;
            const std::size_t end = std::min(b.size(), p + 2 + len);
            if (tiff + 8 > end) return 1;
            const bool le = b[tiff] == 'I';
            const std::size_t ifd = tiff + readU32(&b[tiff + 4], le);
            if (ifd + 2 > end) return 1;
            const int entries = readU16(&b[ifd], le);
            for (int i = 0; i < entries; ++i) {
                const std::size_t e = ifd + 2 + static_cast<std::size_t>(i) * 12;
                if (e + 12 > end) break;
                if (readU16(&b[e], le) == 0x0112) {
                    const int o = readU16(&b[e + 8], le);
                    return (o >= 1 && o <= 8) ? o : 1;
                }
            }
            return 1;
        }
        p += 2 + len;
    }
    return 1;
}

cv::Mat applyOrientation(const cv::Mat& image, int o) {
    cv::Mat out;
    switch (o) {
        case 2:
            cv::flip(image, out, 1);
            break;
        case 3:
            cv::flip(image, out, -1);
            break;
        case 4:
            cv::flip(image, out, 0);
            break;
        case 5:
            cv::transpose(image, out);
            break;
        case 6:
            cv::rotate(image, out, cv::ROTATE_90_CLOCKWISE);
            break;
        case 7:
            cv::transpose(image, out);
            cv::flip(out, out, -1);
            break;
        case 8:
            cv::rotate(image, out, cv::ROTATE_90_COUNTERCLOCKWISE);
            break;
        default:
            out = image;
    }
    return out;
}

DecodedImage readImage(const std::string& path, const ImageReadOptions& options) {
    const std::vector<unsigned char> bytes = readBytes(path);
    DecodedImage out;
    out.format = sniffFormat(bytes, path);
    requireWholeFile(bytes, out.format, path);
    if (out.format == "jpeg") out.exifOrientation = exifOrientation(bytes);
    // ANYDEPTH keeps 16-bit samples so they are scaled, not clipped.
    cv::Mat img = decode(bytes, path, cv::IMREAD_UNCHANGED | cv::IMREAD_IGNORE_ORIENTATION);
    if (img.depth() == CV_16U) {
        img.convertTo(img, CV_8U, 1.0 / 257.0);
    } else if (img.depth() != CV_8U) {
        cv::normalize(img, img, 0, 255, cv::NORM_MINMAX, CV_8U);
    }
    switch (img.channels()) {
        case 1:
            cv::cvtColor(img, out.rgb, cv::COLOR_GRAY2RGB);
            break;
        case 3:
            cv::cvtColor(img, out.rgb, cv::COLOR_BGR2RGB);
            break;
        case 4:
            cv::cvtColor(img, out.rgb, cv::COLOR_BGRA2RGB);
            break;
        default:
            throw FormatError(quoted(path) + ": " + std::to_string(img.channels()) +
                              "-channel images are not supported");
    }
    if (options.applyExifOrientation) out.rgb = applyOrientation(out.rgb, out.exifOrientation);
    return out;
}

cv::Mat readLabelMap(const std::string& path) {
    const std::vector<unsigned char> bytes = readBytes(path);
    const std::string format = sniffFormat(bytes, path);
    requireWholeFile(bytes, format, path);
    if (format == "png" && isPalettePng(bytes)) return readPaletteIndices(bytes, path);
    cv::Mat img = decode(bytes, path, cv::IMREAD_UNCHANGED | cv::IMREAD_IGNORE_ORIENTATION);
    if (img.depth() != CV_8U && img.depth() != CV_16U)
        throw FormatError(quoted(path) + ": mask files must hold 8- or 16-bit integers");
    if (img.channels() == 1) return img;
    std::vector<cv::Mat> planes;
    cv::split(img, planes);
    cv::Mat m = cv::max(planes[0], planes[1]);
    m = cv::max(m, planes[2]);  // alpha, if any, is not a label
    return m;
}

Mask readMask(const std::string& path, int threshold) {
    cv::Mat labels = readLabelMap(path);
    cv::Mat binary;
    cv::compare(labels, threshold, binary, cv::CMP_GT);
    return fromMat(binary);
}

std::vector<unsigned char> readFileBytes(const std::string& path) {
    return readBytes(path);
}

cv::Size readImageSize(const std::string& path) {
    return imageSizeFromBytes(readBytes(path), path);
}

namespace {

// OpenCV's decoders refuse more (CV_IO_MAX_IMAGE_WIDTH / _HEIGHT / _PIXELS); a
// size read from a header alone is held to the same, so that nothing sized by
// it (masks, rasterized polygons) can be made to overflow or run away.
cv::Size checkedHeaderSize(std::uint64_t w, std::uint64_t h, const std::string& path) {
    if (w == 0 || h == 0 || w > (1U << 20) || h > (1U << 20) || w * h > kMaxImagePixels)
        throw FormatError(quoted(path) + ": the header gives an impossible or too large size (" + std::to_string(w) +
                          "x" + std::to_string(h) + "; at most 2^20 a side and 2^30 pixels)");
    return {static_cast<int>(w), static_cast<int>(h)};
}

}  // namespace

cv::Size imageSizeFromBytes(const std::vector<unsigned char>& bytes, const std::string& path) {
    const std::string format = sniffFormat(bytes, path);
    requireWholeFile(bytes, format, path);  // a file cut short is refused when added, not when opened
    if (format == "png" && bytes.size() >= 24)
        return checkedHeaderSize(readU32(&bytes[16], false), readU32(&bytes[20], false), path);
    if (format == "jpeg") {
        // Scan markers for a start-of-frame segment (SOF0..SOF15 except DHT, JPG and DAC).
        std::size_t p = 2;
        while (p + 9 < bytes.size() && bytes[p] == 0xFF) {
            const unsigned char m = bytes[p + 1];
            const std::size_t len = (bytes[p + 2] << 8) | bytes[p + 3];
            if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
                const std::uint16_t w = readU16(&bytes[p + 7], false), h = readU16(&bytes[p + 5], false);
                if (w > 0 && h > 0) return checkedHeaderSize(w, h, path);
                break;  // a height given later (DNL) or a broken header: let the decoder decide
            }
            if (len < 2) break;
            p += 2 + len;
        }
    }
    cv::Mat img = decode(bytes, path, cv::IMREAD_UNCHANGED | cv::IMREAD_IGNORE_ORIENTATION);
    return img.size();
}

void writeMaskPng(const Mask& mask, const std::string& path) {
    bool ok = false;
    try {
        ok = cv::imwrite(path, toMat255(mask));
    } catch (const cv::Exception& e) {
        throw UserError(quoted(path) + ": cannot write PNG (" + e.msg + ")");
    }
    if (!ok) throw UserError(quoted(path) + ": cannot write PNG");
}

}  // namespace samtok
