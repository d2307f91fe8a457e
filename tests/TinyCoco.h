#pragma once
// A COCO instances file of six small textured images with two named regions each ("square", "disc"), written into a
// test folder: the annotation source of the source-shard and cluster tests.
#include "TestMasks.h"
#include "TestPaths.h"
#include "mask/CocoRle.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>
#include <string>

namespace samtok::test {

inline nlohmann::json rleOf(const Mask& m) {
    return nlohmann::json{{"size", {m.height(), m.width()}}, {"counts", rle::toString(rle::encode(m))}};
}

// Six photos-to-be (textured, so the model sees edges) with two named regions each, as a COCO instances file.
inline nlohmann::json writeCoco(const TempDir& dir) {
    std::filesystem::create_directories(dir.file("img"));
    nlohmann::json j{{"images", nlohmann::json::array()},
                     {"annotations", nlohmann::json::array()},
                     {"categories", {{{"id", 1}, {"name", "square"}}, {{"id", 2}, {"name", "disc"}}}}};
    for (int i = 0; i < 6; ++i) {
        cv::Mat bgr(96, 128, CV_8UC3, cv::Scalar(40 + 20 * i, 90, 160 - 15 * i));
        cv::rectangle(bgr, {8 + i, 10, 24, 30}, cv::Scalar(250, 250, 250), -1);
        cv::circle(bgr, {90, 50 + i}, 16, cv::Scalar(10, 10, 10), -1);
        const std::string name = "photo" + std::to_string(i) + ".png";
        cv::imwrite(dir.file("img/" + name), bgr);
        j["images"].push_back({{"id", 100 + i}, {"file_name", name}, {"width", 128}, {"height", 96}});
        cv::Mat disc(96, 128, CV_8U, cv::Scalar(0));
        cv::circle(disc, {90, 50 + i}, 16, cv::Scalar(1), -1);
        j["annotations"].push_back({{"id", 1000 + 2 * i},
                                    {"image_id", 100 + i},
                                    {"category_id", 1},
                                    {"iscrowd", 0},
                                    {"segmentation", rleOf(rectMask(96, 128, 8 + i, 10, 32 + i, 40))}});
        j["annotations"].push_back(
            {{"id", 1001 + 2 * i},
             {"image_id", 100 + i},
             {"category_id", 2},
             {"iscrowd", 0},
             {"segmentation", rleOf(Mask(96, 128, std::vector<std::uint8_t>(disc.datastart, disc.dataend)))}});
    }
    std::ofstream(dir.file("instances.json")) << j.dump();
    return j;
}

}  // namespace samtok::test
