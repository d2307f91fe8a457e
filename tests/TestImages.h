#pragma once
// Hand-made image files for tests of what real files carry.
#include <opencv2/imgcodecs.hpp>
#include <png.h>

#include <cstdio>
#include <string>
#include <vector>

namespace samtok::test {

// JPEG bytes with an EXIF APP1 segment holding only the orientation tag.
inline std::vector<unsigned char> jpegWithOrientation(const cv::Mat& bgr, int orientation) {
    std::vector<unsigned char> jpeg;
    cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, 100});
    const std::vector<unsigned char> tiff{'I',
                                          'I',
                                          42,
                                          0,
                                          8,
                                          0,
                                          0,
                                          0,  // little-endian header, IFD at 8
                                          1,
                                          0,  // one entry
                                          0x12,
                                          0x01,
                                          3,
                                          0,
                                          1,
                                          0,
                                          0,
                                          0,  // tag 0x0112, SHORT, count 1
                                          static_cast<unsigned char>(orientation),
                                          0,
                                          0,
                                          0,
                                          0,
                                          0,
                                          0,
                                          0};  // no next IFD
    std::vector<unsigned char> app1{0xFF, 0xE1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
    app1.insert(app1.end(), tiff.begin(), tiff.end());
    const std::size_t len = app1.size() - 2;
    app1[2] = static_cast<unsigned char>(len >> 8);
    app1[3] = static_cast<unsigned char>(len & 0xff);
    jpeg.insert(jpeg.begin() + 2, app1.begin(), app1.end());
    return jpeg;
}

// A 4-bit palette PNG whose palette colours are deliberately unrelated to the indices.
inline bool writePalettePng(const std::string& path, const cv::Mat& indices) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    png_init_io(png, f);
    png_set_IHDR(png, info, indices.cols, indices.rows, 4, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_color palette[16];
    for (int i = 0; i < 16; ++i) palette[i] = {static_cast<png_byte>(255 - i * 7), static_cast<png_byte>(i * 13), 200};
    png_set_PLTE(png, info, palette, 16);
    png_write_info(png, info);
    png_set_packing(png);
    for (int y = 0; y < indices.rows; ++y) png_write_row(png, const_cast<png_bytep>(indices.ptr<png_byte>(y)));
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return std::fclose(f) == 0;
}

}  // namespace samtok::test
