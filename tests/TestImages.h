#pragma once
// Hand-made image files for tests of what real files carry.
#include <opencv2/imgcodecs.hpp>

#include <vector>

namespace samtok::test {

// JPEG bytes with an EXIF APP1 segment holding only the orientation tag.
inline std::vector<unsigned char> jpegWithOrientation(const cv::Mat& bgr, int orientation) {
    std::vector<unsigned char> jpeg;
    cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, 100});
    const std::vector<unsigned char> tiff{'I', 'I', 42, 0, 8, 0, 0, 0,          // little-endian header, IFD at 8
                                          1, 0,                                  // one entry
                                          0x12, 0x01, 3, 0, 1, 0, 0, 0,          // tag 0x0112, SHORT, count 1
                                          static_cast<unsigned char>(orientation), 0, 0, 0,
                                          0, 0, 0, 0};                           // no next IFD
    std::vector<unsigned char> app1{0xFF, 0xE1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
    app1.insert(app1.end(), tiff.begin(), tiff.end());
    const std::size_t len = app1.size() - 2;
    app1[2] = static_cast<unsigned char>(len >> 8);
    app1[3] = static_cast<unsigned char>(len & 0xff);
    jpeg.insert(jpeg.begin() + 2, app1.begin(), app1.end());
    return jpeg;
}

}  // namespace samtok::test
