// The text files beside mask folders, as `samtok import voc` and `samtok import masks` read them: VOC's
// class_names.txt (labelme2voc's list from "_background_") and its ImageSets split list, and the "VALUE NAME" lines
// of `import masks --class-names`. The first byte picks: even VOC (bit 1: with SegmentationObject, bit 2: through a
// split list, the text being both files), odd a mask folder (bit 1: instances, the text being the class names; else the
// text is --class; bit 2: connected parts). The rest is the text. The photo and its label map (64 x 48, values 0, 1, 2
// and VOC's void 255) are fixed and valid: the PNGs themselves are the LabelPng target's.
#include "FuzzImportSupport.h"
#include "dataset/Import.h"
#include "util/Error.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>

namespace {

namespace fs = std::filesystem;

// A VOC root and a mask folder in the scratch folder, made once per process.
void makeFolders(const std::string& dir) {
    cv::Mat labels(48, 64, CV_8UC1, cv::Scalar(0));
    cv::rectangle(labels, {4, 4, 20, 16}, cv::Scalar(1), cv::FILLED);
    cv::rectangle(labels, {30, 10, 12, 30}, cv::Scalar(2), cv::FILLED);
    cv::rectangle(labels, {50, 30, 10, 10}, cv::Scalar(2), cv::FILLED);
    cv::rectangle(labels, {29, 9, 14, 32}, cv::Scalar(255), 1);
    for (const char* sub : {"voc/JPEGImages", "voc/SegmentationClass", "voc/SegmentationObject",
                            "voc/ImageSets/Segmentation", "images", "masks"})
        fs::create_directories(dir + "/" + sub);
    fs::copy_file(samtok::fuzz::photo(dir), dir + "/voc/JPEGImages/a.jpg", fs::copy_options::overwrite_existing);
    fs::copy_file(samtok::fuzz::photo(dir), dir + "/images/a.png", fs::copy_options::overwrite_existing);
    cv::imwrite(dir + "/voc/SegmentationClass/a.png", labels);
    cv::imwrite(dir + "/voc/SegmentationObject/a.png", labels);
    cv::imwrite(dir + "/masks/a.png", labels);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t kind = data[0];
    const std::string dir = samtok::fuzz::scratchDir();
    static const bool made = (makeFolders(dir), true);
    (void)made;
    try {
        samtok::ProjectStore store = samtok::fuzz::freshProject(dir);
        if (kind % 2 == 0) {
            const std::string voc = dir + "/voc";
            (void)samtok::fuzz::annotationFile(voc, data + 1, size - 1, "class_names.txt");
            (void)samtok::fuzz::annotationFile(voc, data + 1, size - 1, "ImageSets/Segmentation/fuzz.txt");
            const bool objects = kind & 2;
            if (objects && !fs::exists(voc + "/SegmentationObject")) {
                fs::create_directories(voc + "/SegmentationObject");
                fs::copy_file(voc + "/SegmentationClass/a.png", voc + "/SegmentationObject/a.png");
            } else if (!objects) {
                fs::remove_all(voc + "/SegmentationObject");
            }
            (void)samtok::dataset::importVoc(store, voc, kind & 4 ? "fuzz" : "");
        } else {
            samtok::dataset::MaskFolderOptions o;
            o.instances = kind & 2;
            o.connectedParts = kind & 4;
            o.minPartArea = 2;
            if (o.instances) {
                o.className = "thing";
                o.classNamesFile = samtok::fuzz::annotationFile(dir, data + 1, size - 1, "labels.txt");
            } else {
                o.className.assign(reinterpret_cast<const char*>(data + 1), size - 1);  // --class, as typed
            }
            (void)samtok::dataset::importMaskFolder(store, dir + "/images", dir + "/masks", o);
        }
    } catch (const samtok::UserError&) {
    }
    return 0;
}
