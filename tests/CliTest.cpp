// The samtok command line as a user runs it: outputs and exit codes.
#include "CliRun.h"
#include "TestImages.h"
#include "TestPaths.h"
#include "TinyModel.h"
#include "TokenRows.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sqlite3.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

using samtok::test::tokenRows;

namespace {
using Result = samtok::test::CliResult;
Result run(const std::string& args, const std::string& env = {}) {
    return samtok::test::runCli(args, env);
}
}  // namespace

using samtok::test::TempDir;

TEST(Cli, ProjectInitAddImagesInfo) {
    TempDir dir;
    const std::string p = dir.file("p.samtok");
    EXPECT_EQ(run("project init " + p + " --name Demo").code, 0);
    const Result again = run("project init " + p);
    EXPECT_EQ(again.code, 1);
    EXPECT_NE(again.out.find("already exists"), std::string::npos) << again.out;

    const auto berkeley = (samtok::test::sharedDir() / "data/berkeley/images").string();
    const Result add = run("project add-images " + p + " " + berkeley);
    EXPECT_EQ(add.code, 0) << add.out;
    // 100 files, 96 distinct pictures (data/README.md): byte-identical copies are skipped.
    EXPECT_NE(add.out.find("added 96, duplicates skipped 4"), std::string::npos) << add.out;
    const Result twice = run("project add-images " + p + " " + berkeley);
    EXPECT_NE(twice.out.find("added 0, duplicates skipped 100"), std::string::npos) << twice.out;

    const Result info = run("project info --json " + p);
    ASSERT_EQ(info.code, 0) << info.out;
    const auto j = nlohmann::json::parse(info.out);
    EXPECT_EQ(j["name"], "Demo");
    EXPECT_EQ(j["images"], 96);
    EXPECT_EQ(j["images_by_status"]["unlabelled"], 96);
}

TEST(Cli, MaskRleMatchesTheGoldenLine) {
    const auto dir = samtok::test::sharedDir() / "golden/coco-rle";
    std::ifstream in(dir / "expected.jsonl");
    std::string line;
    std::getline(in, line);
    for (int i = 0; i < 8; ++i) std::getline(in, line);  // a blob case
    const auto expected = nlohmann::json::parse(line);
    const Result r = run("mask rle " + (dir / expected["mask"].get<std::string>()).string());
    ASSERT_EQ(r.code, 0) << r.out;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["counts"], expected["counts"]);
    EXPECT_EQ(j["size"], expected["size"]);
    EXPECT_EQ(j["area"], expected["area"]);
}

TEST(Cli, MaskIouOfAMaskWithItselfAndAnother) {
    TempDir dir;
    cv::Mat a = cv::Mat::zeros(10, 10, CV_8UC1), b = a.clone();
    a(cv::Rect(0, 0, 5, 10)).setTo(255);
    b(cv::Rect(0, 0, 10, 10)).setTo(255);
    cv::imwrite(dir.file("a.png"), a);
    cv::imwrite(dir.file("b.png"), b);
    const Result r = run("mask iou " + dir.file("a.png") + " " + dir.file("b.png"));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_DOUBLE_EQ(nlohmann::json::parse(r.out)["iou"].get<double>(), 0.5);
    cv::imwrite(dir.file("c.png"), cv::Mat::zeros(10, 11, CV_8UC1));
    const Result mismatch = run("mask iou " + dir.file("a.png") + " " + dir.file("c.png"));
    EXPECT_EQ(mismatch.code, 1);
    EXPECT_NE(mismatch.out.find("differ in size"), std::string::npos) << mismatch.out;
}

TEST(Cli, UserErrorsExitOneWithOneLine) {
    TempDir dir;
    for (const std::string& args :
         {std::string("project info ") + dir.file("missing.samtok"), std::string("mask rle ") + dir.file("missing.png"),
          std::string("no-such-command"), std::string("project")}) {
        const Result r = run(args);
        EXPECT_EQ(r.code, 1) << args << ": " << r.out;
        EXPECT_NE(r.out.find("samtok:"), std::string::npos) << r.out;
    }
    for (const std::string& args : {"--help", "project --help", "project add-images --help", "mask rle --help"}) {
        const Result r = run(args);
        EXPECT_EQ(r.code, 0) << args;
        EXPECT_NE(r.out.find("Usage"), std::string::npos) << args << ": " << r.out;
    }
}

TEST(Cli, AMistakeSaysWhichHelpToRead) {
    // A command that needs a subcommand lists them; any other mistake names its command's --help.
    const Result bare = run("project");
    EXPECT_EQ(bare.code, 1) << bare.out;
    for (const char* sub : {"init", "add-images", "info", "sample"})
        EXPECT_NE(bare.out.find(sub), std::string::npos) << sub << ": " << bare.out;
    const Result missing = run("project init");
    EXPECT_EQ(missing.code, 1) << missing.out;
    EXPECT_NE(missing.out.find("Run 'samtok project init --help' for usage."), std::string::npos) << missing.out;
    const Result unknown = run("encode --no-such-flag");
    EXPECT_NE(unknown.out.find("Run 'samtok encode --help' for usage."), std::string::npos) << unknown.out;
}

TEST(Cli, TrainingFromADamagedOrMismatchedModelIsAUserError) {
    TempDir dir;
    // Run from the temporary folder: the default config is the embedded model's, wherever the command runs.
    const std::string here = "-C " + dir.path().string();
    std::ofstream(dir.file("bad.safetensors")) << std::string(1000, 'x');
    const Result damaged =
        run("train " + dir.file("run1") + " --init " + dir.file("bad.safetensors") + " --steps 1", here);
    EXPECT_EQ(damaged.code, 1) << damaged.out;
    EXPECT_NE(damaged.out.find("bad.safetensors"), std::string::npos) << damaged.out;
    // The golden micro checkpoint has another config than the embedded model's.
    const std::string golden = (samtok::test::sharedDir() / "golden/samtok-micro/mask_tokenizer.pth").string();
    const Result mismatched = run("train " + dir.file("run2") + " --init " + golden + " --steps 1", here);
    EXPECT_EQ(mismatched.code, 1) << mismatched.out;
    EXPECT_NE(mismatched.out.find("does not match the model"), std::string::npos) << mismatched.out;
    const Result headless = run("train " + dir.file("run3") + " --iou-head-only --steps 1", here);
    EXPECT_EQ(headless.code, 1) << headless.out;
    EXPECT_NE(headless.out.find("--init"), std::string::npos) << headless.out;
}

TEST(Cli, ImagesAreReadAsStoredUnlessAskedToApplyTheirExifOrientation) {
    TempDir dir;
    cv::Mat bgr(48, 64, CV_8UC3, cv::Scalar(40, 80, 120));
    cv::rectangle(bgr, {8, 8, 30, 20}, cv::Scalar(250, 250, 250), cv::FILLED);
    const auto jpeg = samtok::test::jpegWithOrientation(bgr, 6);  // stored 64x48, upright 48x64
    std::ofstream(dir.file("r.jpg"), std::ios::binary)
        .write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
    const Result stored = run("segment --image " + dir.file("r.jpg") + " --point 20,15 --out " + dir.file("a.png"));
    ASSERT_EQ(stored.code, 0) << stored.out;
    EXPECT_NE(stored.out.find("EXIF orientation 6"), std::string::npos) << stored.out;
    EXPECT_EQ(cv::imread(dir.file("a.png"), cv::IMREAD_GRAYSCALE).size(), cv::Size(64, 48));
    const Result upright =
        run("segment --exif-rotate --image " + dir.file("r.jpg") + " --point 20,15 --out " + dir.file("b.png"));
    ASSERT_EQ(upright.code, 0) << upright.out;
    EXPECT_EQ(upright.out.find("EXIF orientation"), std::string::npos) << upright.out;
    EXPECT_EQ(cv::imread(dir.file("b.png"), cv::IMREAD_GRAYSCALE).size(), cv::Size(48, 64));
}

TEST(Cli, EncodeThenDecodeARealMaskWithTheGoldenMicroCheckpoint) {
    TempDir dir;
    const auto golden = samtok::test::sharedDir() / "golden/samtok-micro";
    const std::string model = "--model " + (golden / "mask_tokenizer.pth").string() + " --config " +
                              std::string(SAMTOK_TEST_DATA) + "/samtok-micro.json";
    const auto berkeley = samtok::test::sharedDir() / "data/berkeley";
    const std::string image = (berkeley / "images/12003.jpg").string();
    const Result enc =
        run("encode " + model + " --image " + image + " --mask " + (berkeley / "masks/12003.png").string() + " --json");
    ASSERT_EQ(enc.code, 0) << enc.out;
    const auto j = nlohmann::json::parse(enc.out);
    const std::string tokens = j["masks"][0]["tokens"];
    EXPECT_EQ(tokens.rfind("<|mt_start|><|mt_0", 0), 0u) << tokens;
    const int c0 = j["masks"][0]["c0"], c1 = j["masks"][0]["c1"];
    EXPECT_GE(c0, 0);
    EXPECT_LT(c1, 256);

    // Decode the tokens inside a chatty answer, plus a one-code group that needs the official repair.
    const std::string answer = "'Here it is: " + tokens + " and <|mt_start|><|mt_0007|><|mt_end|>.'";
    const Result dec =
        run("decode " + model + " --image " + image + " --out-dir " + dir.file("out") + " --json --tokens " + answer);
    ASSERT_EQ(dec.code, 0) << dec.out;
    EXPECT_NE(dec.out.find("warning: repaired"), std::string::npos) << dec.out;
    const auto first = cv::imread(dir.file("out/mask_00.png"), cv::IMREAD_GRAYSCALE);
    ASSERT_FALSE(first.empty());
    EXPECT_EQ(first.size(), cv::Size(481, 321));
    EXPECT_TRUE(std::filesystem::exists(dir.file("out/mask_01.png")));

    // The decoded mask is the one encode measured its reconstruction IoU against.
    const Result iou = run("mask iou " + dir.file("out/mask_00.png") + " " + (berkeley / "masks/12003.png").string());
    ASSERT_EQ(iou.code, 0) << iou.out;
    EXPECT_NEAR(nlohmann::json::parse(iou.out)["iou"].get<double>(), j["masks"][0]["reconstruction_iou"].get<double>(),
                1e-9);

    // Codes searched among 3 x 3 neighbour pairs reconstruct at least as well; a width of 0 is refused.
    const std::string maskArgs = " --image " + image + " --mask " + (berkeley / "masks/12003.png").string();
    const Result searched = run("encode " + model + maskArgs + " --json --search 3");
    ASSERT_EQ(searched.code, 0) << searched.out;
    const auto s = nlohmann::json::parse(searched.out);
    EXPECT_EQ(s["search"], 3);
    EXPECT_GE(s["masks"][0]["reconstruction_iou"].get<double>(),
              j["masks"][0]["reconstruction_iou"].get<double>() - 1e-4);
    const Result zero = run("encode " + model + maskArgs + " --search 0");
    EXPECT_NE(zero.code, 0);
    EXPECT_NE(zero.out.find("--search"), std::string::npos) << zero.out;

    // Bad input: no groups, a corrupt checkpoint.
    const Result none = run("decode " + model + " --image " + image + " --tokens 'no tokens here'");
    EXPECT_EQ(none.code, 1);
    EXPECT_NE(none.out.find("no mask token group"), std::string::npos) << none.out;
    std::ofstream(dir.file("bad.pth")) << "PK\x03\x04 definitely not a checkpoint";
    const Result bad = run("encode --model " + dir.file("bad.pth") + " --config sam2.1_hiera_tiny --image " + image +
                           " --mask " + (berkeley / "masks/12003.png").string());
    EXPECT_EQ(bad.code, 1) << bad.out;
    EXPECT_NE(bad.out.find("bad.pth"), std::string::npos) << bad.out;
}

TEST(Cli, EvalPairsFilesAndAppliesTheProtocol) {
    TempDir dir;
    std::filesystem::create_directories(dir.path() / "images/seq");
    std::filesystem::create_directories(dir.path() / "masks/seq");
    // Two objects in one id map (instances), each a rectangle with a 128 band to ignore elsewhere.
    cv::Mat image(60, 90, CV_8UC3);
    cv::randu(image, 0, 255);
    cv::imwrite(dir.file("images/seq/00000.jpg"), image);
    cv::Mat ids(60, 90, CV_8U, cv::Scalar(0));
    ids(cv::Rect(5, 5, 20, 30)).setTo(1);
    ids(cv::Rect(50, 10, 30, 20)).setTo(2);
    cv::imwrite(dir.file("masks/seq/00000.png"), ids);
    cv::imwrite(dir.file("images/unpaired.png"), image);  // no mask: not evaluated

    const auto golden = samtok::test::sharedDir() / "golden/samtok-micro";
    const std::string model = "--model " + (golden / "mask_tokenizer.pth").string() + " --config " +
                              std::string(SAMTOK_TEST_DATA) + "/samtok-micro.json";
    const Result r = run("eval " + model + " --images " + dir.file("images") + " --masks " + dir.file("masks") +
                         " --instances --max-clicks 5 --json");
    ASSERT_EQ(r.code, 0) << r.out;
    const auto j = nlohmann::json::parse(r.out.substr(r.out.find('{')));
    EXPECT_EQ(j["summary"]["images"], 1);
    EXPECT_EQ(j["summary"]["instances"], 2);
    EXPECT_DOUBLE_EQ(j["summary"]["bbox_baseline_miou"].get<double>(), 1.0);  // rectangles fill their boxes
    for (const auto& inst : j["instances"]) {
        ASSERT_EQ(inst["iou_per_click"].size(), 5u);
        // NoC is the first click whose IoU reaches the threshold, or the cap (5 here).
        for (const auto& [key, threshold] : {std::pair<const char*, double>{"noc85", 0.85}, {"noc90", 0.90}}) {
            int expected = 5;
            for (int c = 4; c >= 0; --c)
                if (inst["iou_per_click"][c].get<double>() >= threshold) expected = c + 1;
            EXPECT_EQ(inst[key].get<int>(), expected) << key;
        }
        const double rt = inst["round_trip_iou"].get<double>();
        EXPECT_GE(rt, 0.0);
        EXPECT_LE(rt, 1.0);
        // The returned mask is one of the candidates, so the best of them is as good, up to a pixel at the
        // threshold (the candidates are decoded one pair at a time, the round trip as a batch).
        EXPECT_GE(inst["best_candidate_iou"].get<double>(), rt - 0.01);
        EXPECT_LE(inst["best_candidate_iou"].get<double>(), 1.0);
    }
    EXPECT_GE(j["summary"]["round_trip"]["best_candidate_miou"].get<double>(),
              j["summary"]["round_trip"]["miou"].get<double>() - 0.01);
    const Result none = run("eval " + model + " --images " + dir.file("images") + " --masks " + dir.file("nowhere"));
    EXPECT_EQ(none.code, 1);
    EXPECT_NE(none.out.find("is not a folder"), std::string::npos) << none.out;
}

TEST(Cli, TheEmbeddedModelIsTheDefaultAndADamagedCopyIsNamed) {
    const auto berkeley = samtok::test::sharedDir() / "data/berkeley";
    const std::string args =
        "--image " + (berkeley / "images/12003.jpg").string() + " --mask " + (berkeley / "masks/12003.png").string();
    const Result info = run("model info");
    ASSERT_EQ(info.code, 0) << info.out;
    const auto j = nlohmann::json::parse(info.out.substr(info.out.find('{')));
    EXPECT_NE(j["checkpoint"].get<std::string>().find("samtok-micro.safetensors"), std::string::npos);
    EXPECT_TRUE(j["can_tokenize"].get<bool>());
    EXPECT_EQ(j["config"]["name"], "samtok-micro");
    const Result enc = run("encode " + args);
    ASSERT_EQ(enc.code, 0) << enc.out;
    EXPECT_EQ(enc.out.rfind("<|mt_start|><|mt_", 0), 0u) << enc.out;

    TempDir dir;
    const auto models = std::filesystem::path(SAMTOK_SOURCE_DIR) / "models";
    for (const char* f : {"samtok-micro.safetensors", "samtok-micro.safetensors.sha256", "samtok-micro.json"})
        std::filesystem::copy_file(models / f, dir.path() / f);
    {
        std::fstream weights(dir.file("samtok-micro.safetensors"), std::ios::in | std::ios::out | std::ios::binary);
        weights.seekp(-16, std::ios::end);
        weights.put('\x7f');
    }
    const Result damaged = run("encode " + args + " --model samtok-micro", "SAMTOK_MODEL_DIR=" + dir.path().string());
    EXPECT_EQ(damaged.code, 1) << damaged.out;
    EXPECT_NE(damaged.out.find("is damaged"), std::string::npos) << damaged.out;
    std::filesystem::remove(dir.file("samtok-micro.safetensors"));
    const Result missing =
        run("encode " + args, "SAMTOK_MODEL_DIR=" + dir.path().string() + " SAMTOK_NO_BUILTIN_MODEL_DIRS=1");
    EXPECT_EQ(missing.code, 1) << missing.out;
    EXPECT_NE(missing.out.find("was not found"), std::string::npos) << missing.out;
}

TEST(Cli, TokenizeKilledMidwayResumesToTheSameResult) {
    TempDir dir;
    const auto golden = samtok::test::sharedDir() / "golden/samtok-micro";
    const std::string model = "--model " + (golden / "mask_tokenizer.pth").string() + " --config " +
                              std::string(SAMTOK_TEST_DATA) + "/samtok-micro.json --threads 1";
    ASSERT_EQ(run("project sample " + dir.file("a")).code, 0);
    ASSERT_EQ(run("project sample " + dir.file("b")).code, 0);
    const std::string a = dir.file("a/sample.samtok"), b = dir.file("b/sample.samtok");

    const Result straight = run("tokenize " + a + " " + model);
    ASSERT_EQ(straight.code, 0) << straight.out;
    EXPECT_NE(straight.out.find("0 still without tokens"), std::string::npos) << straight.out;
    const auto expected = tokenRows(a);
    ASSERT_GT(expected.size(), 20u);

    // SIGKILL as soon as the first image's tokens are committed, then resume.
    const pid_t pid = ::fork();
    if (pid == 0) {
        const std::string cmd = std::string(SAMTOK_CLI) + " tokenize " + b + " " + model + " >/dev/null 2>&1";
        ::execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    std::size_t partial = 0;
    for (int i = 0; i < 6000 && partial == 0; ++i) {
        ::usleep(10000);
        partial = tokenRows(b).size();
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    partial = tokenRows(b).size();
    EXPECT_GT(partial, 0u);
    EXPECT_LT(partial, expected.size()) << "the run finished before it could be killed";
    const Result resumed = run("tokenize " + b + " " + model);
    ASSERT_EQ(resumed.code, 0) << resumed.out;
    EXPECT_EQ(tokenRows(b), expected);
}

TEST(Cli, ImportTokenizeExportValidateOnTheSharedData) {
    TempDir dir;
    const auto data = samtok::test::sharedDir() / "data";
    const std::string p = dir.file("p.samtok");
    ASSERT_EQ(run("project init " + p).code, 0);
    const std::string davis = "--images " + (data / "davis2017-firstframes/data/DAVIS/JPEGImages/480p").string() +
                              " --masks " + (data / "davis2017-firstframes/data/DAVIS/Annotations/2017").string() +
                              " --instances --class object";
    const Result imported = run("import masks " + p + " " + davis);
    ASSERT_EQ(imported.code, 0) << imported.out;
    EXPECT_NE(imported.out.find("imported 92 annotation(s)"), std::string::npos) << imported.out;
    EXPECT_NE(run("import masks " + p + " " + davis).out.find("imported 0 annotation(s)"), std::string::npos);
    // A folder with other JSON beside the LabelMe files: those are named and left alone.
    const Result labelme =
        run("import labelme " + p + " " + (data / "labelme-examples/examples/instance_segmentation").string());
    EXPECT_EQ(labelme.code, 0) << labelme.out;
    EXPECT_NE(labelme.out.find("other JSON file(s) left alone"), std::string::npos) << labelme.out;

    // Exporting before tokenizing says what to run.
    const Result early = run("export mllm " + p + " " + dir.file("out"));
    EXPECT_EQ(early.code, 1);
    EXPECT_NE(early.out.find("samtok tokenize"), std::string::npos) << early.out;
    EXPECT_FALSE(fs::exists(dir.file("out")));

    ASSERT_EQ(run("tokenize " + p + " --threads 1").code, 0);
    const Result exported =
        run("export mllm " + p + " " + dir.file("out") + " --target llamafactory --val 0.2 --seed 3");
    ASSERT_EQ(exported.code, 0) << exported.out;
    EXPECT_NE(exported.out.find("dataset_info.json"), std::string::npos) << exported.out;
    const Result valid = run("validate " + dir.file("out/samtok_train.json") + " --decode --threads 1");
    EXPECT_EQ(valid.code, 0) << valid.out;
    EXPECT_NE(valid.out.find("no problems"), std::string::npos) << valid.out;

    // Text for the other tasks, from the command line.
    EXPECT_EQ(run("region ask " + p + " 1 --question 'What is <region> doing?' --answer 'Riding.'").code, 0);
    EXPECT_EQ(run("region describe " + p + " 2 'A bicycle.'").code, 0);
    EXPECT_EQ(run("region group " + p + " 1 'the horses'").code, 0);
    const Result missing = run("region refer " + p + " 100000 'nothing'");
    EXPECT_EQ(missing.code, 1);
    EXPECT_NE(missing.out.find("region 100000 does not exist"), std::string::npos) << missing.out;
    const Result listed = run("region list " + p + " --json --image 1");
    ASSERT_EQ(listed.code, 0) << listed.out;
    EXPECT_EQ(nlohmann::json::parse(listed.out).at(0).at("questions"), 1);
    const Result tasks = run("export mllm " + p + " " + dir.file("tasks") + " --tasks vqa,regioncap,gres --threads 1");
    ASSERT_EQ(tasks.code, 0) << tasks.out;
    EXPECT_NE(tasks.out.find("vqa 1"), std::string::npos) << tasks.out;
    EXPECT_NE(tasks.out.find("regioncap 1"), std::string::npos) << tasks.out;
    EXPECT_EQ(run("validate " + dir.file("tasks/samtok.jsonl")).code, 0);

    const Result coco = run("export coco " + p + " " + dir.file("coco/instances.json") + " --tokens");
    ASSERT_EQ(coco.code, 0) << coco.out;
    std::ifstream in(dir.file("coco/instances.json"));
    const auto j = nlohmann::json::parse(in);
    EXPECT_GE(j["annotations"].size(), 92u);
    EXPECT_TRUE(j["annotations"][0]["samtok"]["tokens"].get<std::string>().rfind("<|mt_start|>", 0) == 0);

    const Result badTarget = run("export mllm " + p + " " + dir.file("x") + " --target alpaca");
    EXPECT_EQ(badTarget.code, 1);
    EXPECT_NE(badTarget.out.find("unknown export target 'alpaca'"), std::string::npos) << badTarget.out;
}

TEST(Cli, TrainPreviewShowsTheTrainingSamplesWithoutTraining) {
    TempDir dir;
    std::ofstream(dir.file("c.json")) << samtok::test::tinyConfigJson("preview-test", 96);
    const Result r = run("train " + dir.file("run") + " --config " + dir.file("c.json") + " --preview " +
                         dir.file("pv") + " --preview-count 3 --masks-per-image 2");
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("3 samples written"), std::string::npos) << r.out;
    for (int i = 0; i < 3; ++i) {
        const cv::Mat img = cv::imread(dir.file("pv/sample-" + std::to_string(i) + ".png"));
        ASSERT_FALSE(img.empty()) << i;
        EXPECT_EQ(img.size(), cv::Size(96, 96));  // the model's input size
        // The first mask is outlined in its colour.
        cv::Mat outline;
        cv::inRange(img, cv::Scalar(0, 80, 160), cv::Scalar(0, 80, 160), outline);
        EXPECT_GT(cv::countNonZero(outline), 8) << i;
    }
    EXPECT_FALSE(fs::exists(dir.file("run/checkpoint.pt")));
}
