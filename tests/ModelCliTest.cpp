// Models on the command line: what a user can fix is said in one line, with exit code 1.
#include "CliRun.h"
#include "TestPaths.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>

using samtok::test::runCli;
using samtok::test::TempDir;

TEST(ModelCli, EncodingWithASam2CheckpointThatHasNoMaskEncoderIsAUserError) {
    TempDir dir;
    const auto golden = samtok::test::sharedDir() / "golden/samtok-micro";
    cv::imwrite(dir.file("i.png"), cv::Mat(64, 64, CV_8UC3, cv::Scalar(30, 60, 90)));
    cv::Mat mask(64, 64, CV_8UC1, cv::Scalar(0));
    mask(cv::Rect(10, 10, 30, 20)).setTo(255);
    cv::imwrite(dir.file("m.png"), mask);
    const auto r =
        runCli("encode --model " + (golden / "sam2_micro.pt").string() + " --config " + std::string(SAMTOK_TEST_DATA) +
               "/samtok-micro.json --image " + dir.file("i.png") + " --mask " + dir.file("m.png"));
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_NE(r.out.find("no mask encoder"), std::string::npos) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << "one line: " << r.out;
    EXPECT_EQ(r.out.find("internal error"), std::string::npos) << r.out;
}
