// `samtok train --project`: a user's annotated projects as training data.
#include "CliRun.h"
#include "TestPaths.h"
#include "TinyModel.h"
#include "train/TrainingScenes.h"
#include "util/Error.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>
#include <sstream>
#include <vector>

using samtok::test::runCli;
using samtok::test::TempDir;

namespace {

// A network small enough to train for a few dozen steps in a test.
void writeTinyConfig(const std::string& path) {
    std::ofstream(path) << samtok::test::tinyConfigJson("train-project-test", 96);
}

// The loss column of metrics.csv, in step order.
std::vector<double> losses(const std::string& csv) {
    std::ifstream in(csv);
    std::vector<double> out;
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string step, loss;
        std::getline(f, step, ',');
        std::getline(f, loss, ',');
        out.push_back(std::stod(loss));
    }
    return out;
}

}  // namespace

TEST(TrainProject, AProjectsRegionsTrainAModelThatLoadsAndDecodes) {
    TempDir dir;
    ASSERT_EQ(runCli("project sample " + dir.file("data")).code, 0);
    const std::string project = dir.file("data/sample.samtok");
    writeTinyConfig(dir.file("c.json"));
    const auto r = runCli("train " + dir.file("run") + " --config " + dir.file("c.json") + " --project " + project +
                          ":2 --steps 60 --overfit 2 --images-per-step 2 --masks-per-image 2 --log-every 10 --lr 3e-3 "
                          "--threads 2");
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("sample.samtok: "), std::string::npos) << "the project is not named as a source: " << r.out;
    EXPECT_NE(r.out.find("(weight 2)"), std::string::npos) << r.out;
    const auto loss = losses(dir.file("run/metrics.csv"));
    ASSERT_GE(loss.size(), 5u);
    EXPECT_LT((loss[loss.size() - 1] + loss[loss.size() - 2]) / 2, loss[0]) << "the loss did not decrease";

    // The trained model is a model: it loads (its config from its metadata) and turns a mask into tokens and back.
    const std::string model = dir.file("run/model.safetensors");
    const std::string image = dir.file("data/images/scene_001.png");
    const cv::Mat rgb = cv::imread(image);
    ASSERT_FALSE(rgb.empty());
    cv::Mat mask(rgb.size(), CV_8UC1, cv::Scalar(0));
    cv::rectangle(mask, cv::Rect(rgb.cols / 4, rgb.rows / 4, rgb.cols / 3, rgb.rows / 3), cv::Scalar(255), cv::FILLED);
    cv::imwrite(dir.file("m.png"), mask);
    const auto encoded =
        runCli("encode --model " + model + " --image " + image + " --mask " + dir.file("m.png") + " --json");
    ASSERT_EQ(encoded.code, 0) << encoded.out;
    const auto json = nlohmann::json::parse(encoded.out.substr(encoded.out.find('{')));
    EXPECT_EQ(json["model"], model);
    const std::string tokens = json["masks"][0]["tokens"];
    EXPECT_EQ(tokens.rfind("<|mt_start|>", 0), 0u) << tokens;
    const auto decoded = runCli("decode --model " + model + " --image " + image + " --tokens '" + tokens +
                                "' --out-dir " + dir.file("out"));
    ASSERT_EQ(decoded.code, 0) << decoded.out;
    EXPECT_EQ(cv::imread(dir.file("out/mask_00.png"), cv::IMREAD_GRAYSCALE).size(), rgb.size());
}

TEST(TrainProject, AProjectSpecIsAPathWithAnOptionalWeight) {
    EXPECT_EQ(samtok::parseTrainingProject("a.samtok").path, "a.samtok");
    EXPECT_EQ(samtok::parseTrainingProject("a.samtok").weight, 1.0);
    EXPECT_EQ(samtok::parseTrainingProject("dir/a.samtok:2.5").path, "dir/a.samtok");
    EXPECT_EQ(samtok::parseTrainingProject("dir/a.samtok:2.5").weight, 2.5);
    EXPECT_EQ(samtok::parseTrainingProject("c:/x/a.samtok").path, "c:/x/a.samtok");  // not a number after the colon
    EXPECT_THROW(samtok::parseTrainingProject("a.samtok:0"), samtok::UserError);
    EXPECT_THROW(samtok::parseTrainingProject("a.samtok:-1"), samtok::UserError);
}
