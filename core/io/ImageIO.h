#pragma once
// Reading photos and mask files with errors that name the file and the problem.
//
// EXIF orientation: like the official SAMTok pipeline (PIL's Image.open does not
// rotate), images are used as stored, and the orientation tag is only reported.
// Pass applyExifOrientation = true to rotate them upright instead; masks made on
// rotated pixels then no longer line up with what the model saw.
#include "mask/Mask.h"

#include <opencv2/core.hpp>

#include <string>

namespace samtok {

struct ImageReadOptions {
    bool applyExifOrientation = false;
};

struct DecodedImage {
    cv::Mat rgb;              // CV_8UC3, RGB order
    int exifOrientation = 1;  // 1..8 as in the EXIF standard; 1 when absent
    std::string format;       // "png", "jpeg", "bmp", "tiff", "webp"
};

// RGB, grayscale, RGBA (alpha dropped), palette and 16-bit files all come back as 8-bit RGB.
DecodedImage readImage(const std::string& path, const ImageReadOptions& options = {});

// A single-channel map of the values a mask file stores: the palette index of a
// palette PNG (never its colour), the value of an 8- or 16-bit grayscale file,
// max(R, G, B) of a colour file. CV_8UC1 or CV_16UC1.
cv::Mat readLabelMap(const std::string& path);

// Foreground where the label map is above `threshold` (127: 0/255 masks and
// RGB masks with stray colours; 0: any non-zero id).
Mask readMask(const std::string& path, int threshold = 127);

// Pixel size without decoding the pixels where the format allows (PNG, JPEG).
cv::Size readImageSize(const std::string& path);
cv::Size imageSizeFromBytes(const std::vector<unsigned char>& bytes, const std::string& path);

// A whole file, with errors that name it (missing, a directory, empty, unreadable).
std::vector<unsigned char> readFileBytes(const std::string& path);

// Writes a mask as a 0/255 8-bit PNG; throws UserError when the file cannot be written.
void writeMaskPng(const Mask& mask, const std::string& path);

// The EXIF orientation stored in JPEG bytes; 1 when none.
int exifOrientation(const std::vector<unsigned char>& jpegBytes);
// Rotates / flips an image as EXIF orientation `o` asks.
cv::Mat applyOrientation(const cv::Mat& image, int o);

}  // namespace samtok
