#include "TestImages.h"
#include "TestPaths.h"
#include "io/ImageIO.h"
#include "util/Error.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <png.h>

#include <cstdio>
#include <fstream>
#include <functional>

using namespace samtok;

namespace {

void writeBytes(const std::string& path, const std::vector<unsigned char>& bytes) {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<unsigned char> readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

cv::Mat gradientBgr(int h, int w) {
    cv::Mat m(h, w, CV_8UC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) m.at<cv::Vec3b>(y, x) = {static_cast<uchar>(x * 8), static_cast<uchar>(y * 8), 128};
    return m;
}

}  // namespace

TEST(ImageIO, ReadsColourGreyAlphaSixteenBitAndBmpAsRgb) {
    test::TempDir dir;
    cv::Mat bgr(4, 5, CV_8UC3, cv::Scalar(10, 20, 30));  // B, G, R
    cv::imwrite(dir.file("c.png"), bgr);
    cv::imwrite(dir.file("c.bmp"), bgr);
    cv::imwrite(dir.file("g.png"), cv::Mat(4, 5, CV_8UC1, cv::Scalar(77)));
    cv::imwrite(dir.file("a.png"), cv::Mat(4, 5, CV_8UC4, cv::Scalar(10, 20, 30, 0)));
    cv::imwrite(dir.file("w.png"), cv::Mat(4, 5, CV_16UC3, cv::Scalar(257 * 10, 257 * 20, 257 * 30)));
    for (const char* name : {"c.png", "c.bmp", "a.png", "w.png"}) {
        SCOPED_TRACE(name);
        const DecodedImage img = readImage(dir.file(name));
        ASSERT_EQ(img.rgb.type(), CV_8UC3);
        EXPECT_EQ(img.rgb.size(), cv::Size(5, 4));
        EXPECT_EQ(img.rgb.at<cv::Vec3b>(2, 3), cv::Vec3b(30, 20, 10));  // RGB order
    }
    EXPECT_EQ(readImage(dir.file("c.bmp")).format, "bmp");
    EXPECT_EQ(readImage(dir.file("g.png")).rgb.at<cv::Vec3b>(0, 0), cv::Vec3b(77, 77, 77));
}

TEST(ImageIO, PalettePngGivesIndicesNotColours) {
    test::TempDir dir;
    cv::Mat ids(6, 7, CV_8UC1, cv::Scalar(0));
    ids(cv::Rect(1, 1, 3, 2)).setTo(1);
    ids(cv::Rect(4, 3, 2, 3)).setTo(5);
    ids.at<uchar>(5, 0) = 15;
    ASSERT_TRUE(test::writePalettePng(dir.file("p.png"), ids));
    const cv::Mat labels = readLabelMap(dir.file("p.png"));
    ASSERT_EQ(labels.type(), CV_8UC1);
    EXPECT_EQ(cv::countNonZero(labels != ids), 0);
    EXPECT_EQ(readMask(dir.file("p.png"), 0).area(), 6u + 6u + 1u);
}

TEST(ImageIO, RealPaletteAndIdMasksFromSharedData) {
    // DAVIS stores object ids in a palette PNG.
    const auto davis = test::sharedDir() / "data/davis2017-firstframes/data/DAVIS/Annotations/2017";
    ASSERT_TRUE(std::filesystem::exists(davis));
    const auto first = *std::filesystem::directory_iterator(davis);
    const cv::Mat labels = readLabelMap((first.path() / "00000.png").string());
    double lo = 0, hi = 0;
    cv::minMaxLoc(labels, &lo, &hi);
    EXPECT_EQ(lo, 0);
    EXPECT_GE(hi, 1);
    EXPECT_LE(hi, 7);
}

TEST(ImageIO, SixteenBitMaskKeepsItsValues) {
    test::TempDir dir;
    cv::Mat ids(3, 3, CV_16UC1, cv::Scalar(0));
    ids.at<std::uint16_t>(1, 1) = 1000;
    cv::imwrite(dir.file("ids16.png"), ids);
    const cv::Mat labels = readLabelMap(dir.file("ids16.png"));
    ASSERT_EQ(labels.type(), CV_16UC1);
    EXPECT_EQ(labels.at<std::uint16_t>(1, 1), 1000);
    EXPECT_EQ(readMask(dir.file("ids16.png"), 0).area(), 1u);
}

TEST(ImageIO, ExifOrientationIsReportedAndAppliedOnlyOnRequest) {
    test::TempDir dir;
    const cv::Mat bgr = gradientBgr(16, 24);
    writeBytes(dir.file("r.jpg"), test::jpegWithOrientation(bgr, 6));
    const DecodedImage asStored = readImage(dir.file("r.jpg"));
    EXPECT_EQ(asStored.exifOrientation, 6);
    EXPECT_EQ(asStored.rgb.size(), cv::Size(24, 16));  // not rotated: what the official pipeline sees
    const DecodedImage upright = readImage(dir.file("r.jpg"), {true});
    EXPECT_EQ(upright.rgb.size(), cv::Size(16, 24));  // rotated 90 degrees clockwise
    EXPECT_EQ(readImageSize(dir.file("r.jpg")), cv::Size(24, 16));
}

// Found by the mutation tests: a size read from a header alone sized masks and
// rasterized polygons, so a forged one could make them overflow or run away.
TEST(ImageIO, AHeaderClaimingAnImpossibleSizeIsRefused) {
    test::TempDir dir;
    cv::imwrite(dir.file("a.png"), cv::Mat(4, 5, CV_8UC3, cv::Scalar(1, 2, 3)));
    auto bytes = readAll(dir.file("a.png"));
    EXPECT_EQ(imageSizeFromBytes(bytes, "a.png"), cv::Size(5, 4));
    for (const auto [w, h] : {std::pair<std::uint32_t, std::uint32_t>{0, 4}, {(1U << 20) + 1, 4}, {40000, 40000}}) {
        for (int i = 0; i < 4; ++i) {
            bytes[16 + i] = static_cast<unsigned char>(w >> (24 - 8 * i));
            bytes[20 + i] = static_cast<unsigned char>(h >> (24 - 8 * i));
        }
        try {
            imageSizeFromBytes(bytes, "forged.png");
            ADD_FAILURE() << "accepted " << w << "x" << h;
        } catch (const FormatError& e) {
            EXPECT_NE(std::string(e.what()).find("forged.png': the header gives an impossible or too large size"),
                      std::string::npos)
                << e.what();
        }
    }
}

TEST(ImageIO, APngChunkLongerThanTheFileIsRefusedBeforeAnythingIsAllocated) {
    // Found by fuzzing: libpng allocated and cleared a chunk's declared length (here 1.2 GB) before reading it.
    test::TempDir dir;
    cv::imwrite(dir.file("a.png"), cv::Mat(4, 5, CV_8UC1, cv::Scalar(1)));
    auto bytes = readAll(dir.file("a.png"));
    const unsigned char chunk[] = {0x48, 0x00, 0x00, 0x00, 's', 'P', 'L', 'T', 0, 0, 0, 0};  // no data follows
    bytes.insert(bytes.begin() + 33, std::begin(chunk), std::end(chunk));                    // after IHDR
    std::ofstream(dir.file("long-chunk.png"), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    for (const auto& read : {std::function<void()>([&] { readMask(dir.file("long-chunk.png")); }),
                             std::function<void()>([&] { readImage(dir.file("long-chunk.png")); }),
                             // Adding the image reads only its size: it is refused there already.
                             std::function<void()>([&] { imageSizeFromBytes(bytes, dir.file("long-chunk.png")); })}) {
        try {
            read();
            ADD_FAILURE() << "read a PNG whose chunk runs past its end";
        } catch (const FormatError& e) {
            EXPECT_NE(std::string(e.what()).find("long-chunk.png': truncated or damaged PNG (its 'sPLT' chunk claims "
                                                 "1207959552 bytes"),
                      std::string::npos)
                << e.what();
        }
    }
}

TEST(ImageIO, BadFilesGiveErrorsThatNameTheProblem) {
    test::TempDir dir;
    auto expectError = [&](const std::string& path, const std::string& fragment) {
        try {
            readImage(path);
            ADD_FAILURE() << "no error for " << path;
        } catch (const UserError& e) {
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        }
    };
    expectError(dir.file("missing.png"), "No such file");
    expectError(dir.path().string(), "directory");
    writeBytes(dir.file("empty.png"), {});
    expectError(dir.file("empty.png"), "empty file");
    writeBytes(dir.file("text.png"), {'h', 'e', 'l', 'l', 'o'});
    expectError(dir.file("text.png"), "not a supported image");

    cv::imwrite(dir.file("ok.png"), gradientBgr(64, 64));
    auto png = readAll(dir.file("ok.png"));
    png.resize(png.size() / 2);
    writeBytes(dir.file("cut.png"), png);
    expectError(dir.file("cut.png"), "truncated or damaged PNG");

    std::vector<unsigned char> jpeg;
    cv::imencode(".jpg", gradientBgr(64, 64), jpeg);
    jpeg.resize(jpeg.size() * 2 / 3);
    writeBytes(dir.file("cut.jpg"), jpeg);
    expectError(dir.file("cut.jpg"), "truncated JPEG");
    // Adding an image reads only its size: a JPEG cut short is refused there too, not first when it is opened.
    try {
        imageSizeFromBytes(jpeg, dir.file("cut.jpg"));
        ADD_FAILURE() << "the size of a truncated JPEG was read";
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("truncated JPEG"), std::string::npos) << e.what();
    }
}
