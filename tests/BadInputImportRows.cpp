// The importers' rows of docs/bad-input.md (see BadInputRows.h).
#include "BadInputRows.h"
#include "CliRun.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace samtok::test {
namespace {

std::string put(const TempDir& d, const std::string& name, const std::string& bytes) {
    fs::create_directories(fs::path(d.file(name)).parent_path());
    std::ofstream(d.file(name), std::ios::binary) << bytes;
    return d.file(name);
}

std::string image(const TempDir& d, const std::string& name, int w = 64, int h = 48) {
    fs::create_directories(fs::path(d.file(name)).parent_path());
    cv::imwrite(d.file(name), cv::Mat(h, w, CV_8UC3, cv::Scalar(30, 90, 160)));
    return d.file(name);
}

std::string project(const TempDir& d) {
    runCli("project init " + d.file("p.samtok"));
    return d.file("p.samtok");
}

const json kImage = {{"id", 1}, {"file_name", "a.png"}, {"width", 64}, {"height", 48}};

std::string coco(const TempDir& d, const json& annotation, const json& imageEntry = kImage) {
    image(d, "img/a.png");
    const json j{
        {"images", {imageEntry}}, {"categories", {{{"id", 1}, {"name", "cup"}}}}, {"annotations", {annotation}}};
    return "import coco " + project(d) + " " + put(d, "instances.json", j.dump()) + " --images " + d.file("img");
}

json polygon(double far = 10) {
    return {{"id", 7}, {"image_id", 1}, {"category_id", 1}, {"segmentation", {{1, 1, far, 1, far, 10}}}};
}

std::string labelme(const TempDir& d, const json& j) {
    image(d, "lm/a.png");
    return "import labelme " + project(d) + " " + put(d, "lm/a.json", j.dump());
}

std::string yolo(const TempDir& d, const std::string& label) {
    image(d, "yolo/images/a.png");
    put(d, "yolo/labels/a.txt", label);
    return "import yolo " + project(d) + " --images " + d.file("yolo/images") + " --labels " + d.file("yolo/labels");
}

}  // namespace

std::vector<BadInput> importRows() {
    return {
        {"a COCO file that is not JSON", "COCO import",
         [](const TempDir& d) { return "import coco " + project(d) + " " + put(d, "i.json", "{\"images\": ["); },
         "is not valid JSON"},
        {"a COCO file without images or annotations", "COCO import",
         [](const TempDir& d) { return "import coco " + project(d) + " " + put(d, "i.json", "{\"info\": {}}"); },
         "is not a COCO instances file"},
        {"an annotation on an image the file does not list", "COCO import",
         [](const TempDir& d) {
             json a = polygon();
             a["image_id"] = 2;
             return coco(d, a);
         },
         "is not in 'images'"},
        {"an RLE counts string with a bad character", "COCO RLE",
         [](const TempDir& d) {
             return coco(d, {{"id", 7},
                             {"image_id", 1},
                             {"category_id", 1},
                             {"segmentation", {{"size", {48, 64}}, {"counts", "zz\x01"}}}});
         },
         "invalid character"},
        {"RLE runs that do not cover the image", "COCO RLE",
         [](const TempDir& d) {
             return coco(d, {{"id", 7},
                             {"image_id", 1},
                             {"category_id", 1},
                             {"segmentation", {{"size", {48, 64}}, {"counts", {10, 5}}}}});
         },
         "annotations[0]"},
        {"a polygon point at 1e12", "COCO import", [](const TempDir& d) { return coco(d, polygon(1e12)); },
         "annotations[0]"},
        {"an image width of 12.5", "COCO import",
         [](const TempDir& d) {
             json im = kImage;
             im["width"] = 12.5;
             return coco(d, polygon(), im);
         },
         "images[0]"},
        {"an image id of 1e308", "COCO import",
         [](const TempDir& d) {
             json a = polygon();
             a["image_id"] = 1e308;
             return coco(d, a);
         },
         "whole number"},
        {"an image the file lists but the disk lacks", "COCO import",
         [](const TempDir& d) {
             json im = kImage;
             im["file_name"] = "gone.png";
             return coco(d, polygon(), im);
         },
         "gone.png"},
        {"an image whose size is not what the file says", "COCO import",
         [](const TempDir& d) {
             json im = kImage;
             im["width"] = 65;
             return coco(d, polygon(), im);
         },
         "the JSON says 65x48"},
        {"a LabelMe file without imagePath", "LabelMe import",
         [](const TempDir& d) {
             return labelme(d, {{"shapes", json::array()}});
         },
         "is not a LabelMe file"},
        {"a LabelMe polygon of two points", "LabelMe import",
         [](const TempDir& d) {
             return labelme(
                 d, {{"imagePath", "a.png"},
                     {"shapes", {{{"label", "cup"}, {"points", {{1, 1}, {5, 5}}}, {"shape_type", "polygon"}}}}});
         },
         "at least 3 points"},
        {"a LabelMe image that is missing", "LabelMe import",
         [](const TempDir& d) {
             return labelme(d, {{"imagePath", "gone.png"}, {"shapes", json::array()}});
         },
         "gone.png"},
        {"a YOLO label line with an odd number of coordinates", "YOLO import",
         [](const TempDir& d) { return yolo(d, "0 0.1 0.1 0.5 0.1 0.5\n"); }, "a.txt"},
        {"a YOLO class id that is not a number", "YOLO import",
         [](const TempDir& d) { return yolo(d, "cup 0.1 0.1 0.5 0.1 0.5 0.5\n"); }, "a.txt"},
        {"an SA-1B file without annotations", "SA-1B import",
         [](const TempDir& d) {
             image(d, "sa/sa_1.jpg");
             return "import sa1b " + project(d) + " " +
                    put(d, "sa/sa_1.json", R"({"image": {"file_name": "sa_1.jpg"}})");
         },
         "is not an SA-1B file"},
        {"a RefCOCO refs.p whose pickle calls a function", "pickle reader",
         [](const TempDir& d) {
             image(d, "img/a.png");
             put(d, "instances.json", R"({"images": [], "annotations": []})");
             fs::copy_file(std::string(SAMTOK_TEST_DATA) + "/hostile_refs.p", d.file("refs(unc).p"));
             return "import refcoco " + project(d) + " '" + d.file("refs(unc).p") + "'" + " --instances " +
                    d.file("instances.json") + " --images " + d.file("img");
         },
         "refs(unc).p"},
        {"a mask larger than its image", "mask folder import",
         [](const TempDir& d) {
             image(d, "mf/images/a.png");
             fs::create_directories(d.file("mf/masks"));
             cv::imwrite(d.file("mf/masks/a.png"), cv::Mat(100, 100, CV_8U, cv::Scalar(255)));
             return "import masks " + project(d) + " --images " + d.file("mf/images") + " --masks " +
                    d.file("mf/masks");
         },
         "a.png"},
    };
}

}  // namespace samtok::test
