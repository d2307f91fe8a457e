// samtok validate: the pre-flight checks of an MLLM fine-tuning file.
#include "cli/Commands.h"
#include "cli/ModelOptions.h"
#include "dataset/Import.h"
#include "dataset/Validator.h"
#include "store/ProjectStore.h"
#include "io/ImageIO.h"
#include "store/AddImages.h"
#include "util/Error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <algorithm>
#include <fstream>
#include <map>

namespace fs = std::filesystem;

namespace samtok::cli {
namespace {

struct ValidateOptions {
    std::string file;
    dataset::ValidationOptions check;
    bool noPaths = false;
    bool decode = false;
    bool json = false;
    ModelOptions model;
};

void validate(ValidateOptions& o) {
    o.check.checkPaths = !o.noPaths;
    std::unique_ptr<model::Tokenizer> tok;
    if (o.decode) {
        tok = loadTokenizer(o.model);
        o.check.codebookSize = tok->config().codebookSize;
    }
    auto report = dataset::validateDataset(o.file, o.check);
    int decoded = 0, empty = 0;
    if (tok) {
        // Every pair decodes on its own image: one embedding per image.
        const fs::path root = o.check.imageRoot.empty() ? fs::absolute(o.file).parent_path() : fs::path(o.check.imageRoot);
        std::map<std::string, std::vector<const dataset::ValidationReport::Pair*>> byImage;
        for (const auto& p : report.pairs)
            if (!p.image.empty()) byImage[p.image].push_back(&p);
        for (const auto& [image, pairs] : byImage) {
            const fs::path path = fs::path(image).is_absolute() ? fs::path(image) : root / image;
            try {
                const DecodedImage img = readImage(path.string());
                const auto emb = tok->embed({img.rgb.data, img.rgb.cols, img.rgb.rows, img.rgb.step});
                std::vector<model::CodePair> codes;
                for (const auto* p : pairs) codes.push_back({p->c0, p->c1});
                for (const auto& m : tok->decode(*emb, codes)) {
                    ++decoded;
                    bool any = false;
                    for (auto v : m.mask) any = any || v;
                    empty += any ? 0 : 1;
                }
            } catch (const std::exception& e) {
                report.issues.push_back({pairs.front()->line, pairs.front()->record,
                                         "cannot decode the tokens on '" + path.string() + "': " + e.what()});
            }
        }
    }
    if (o.json) {
        nlohmann::json issues = nlohmann::json::array();
        for (const auto& i : report.issues) issues.push_back({{"line", i.line}, {"record", i.record}, {"message", i.message}});
        std::cout << nlohmann::json{{"file", o.file}, {"records", report.records}, {"images", report.images},
                                    {"mask_groups", report.maskGroups}, {"decoded", decoded}, {"decoded_empty", empty},
                                    {"issues", issues}}
                         .dump(2)
                  << "\n";
    } else {
        for (const auto& i : report.issues) std::cout << o.file << ":" << i.line << ": " << i.message << "\n";
        std::cout << report.records << " record(s), " << report.images << " image(s), " << report.maskGroups
                  << " mask group(s)";
        if (tok) std::cout << ", " << decoded << " decoded (" << empty << " empty)";
        std::cout << ": " << (report.issues.empty() ? "no problems" : std::to_string(report.issues.size()) + " problem(s)") << "\n";
    }
    if (!report.issues.empty()) throw UserError(std::to_string(report.issues.size()) + " problem(s) in '" + o.file + "'");
}

struct ImportOptions {
    std::string project;
    std::vector<std::string> files;
    std::string images, labels, names;
};

void printReport(const dataset::ImportReport& r) {
    for (const auto& s : r.skipped) std::cerr << "samtok: skipped " << s << "\n";
    std::cout << "imported " << r.annotationsAdded << " annotation(s); images: " << r.imagesAdded << " added, "
              << r.imagesKnown << " already in the project; " << r.duplicates << " duplicate annotation(s) not added";
    if (r.crowdSkipped) std::cout << "; " << r.crowdSkipped << " crowd region(s) skipped";
    std::cout << "; " << r.skipped.size() << " record(s) skipped\n";
    if (!r.skipped.empty())
        throw UserError(std::to_string(r.skipped.size()) + " record(s) could not be imported (listed above); the rest was saved");
}

std::vector<std::string> jsonFilesUnder(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths) {
        if (fs::is_directory(p)) {
            for (const auto& e : fs::recursive_directory_iterator(p))
                if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path().string());
        } else if (fs::is_regular_file(p)) {
            out.push_back(p);
        } else {
            throw UserError("'" + p + "' does not exist");
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

void importCoco(const ImportOptions& o) {
    ProjectStore store = ProjectStore::open(o.project);
    dataset::ImportReport total;
    for (const auto& f : o.files) total.add(dataset::importCoco(store, f, o.images.empty() ? fs::path(f).parent_path().string() : o.images));
    printReport(total);
}

void importLabelMe(const ImportOptions& o) {
    ProjectStore store = ProjectStore::open(o.project);
    dataset::ImportReport total;
    for (const auto& f : jsonFilesUnder(o.files)) total.add(dataset::importLabelMe(store, f));
    printReport(total);
}

void importYolo(const ImportOptions& o) {
    ProjectStore store = ProjectStore::open(o.project);
    std::vector<std::string> names;
    if (!o.names.empty()) {
        std::ifstream in(o.names);
        if (!in) throw UserError("cannot read class names '" + o.names + "'");
        for (std::string l; std::getline(in, l);)
            if (!l.empty()) names.push_back(l);
    }
    dataset::ImportReport total;
    int unlabelled = 0;
    for (const auto& image : collectImageFiles({o.images})) {
        const fs::path label = fs::path(o.labels) / (fs::path(image).stem().string() + ".txt");
        if (!fs::exists(label)) {
            ++unlabelled;
            continue;
        }
        total.add(dataset::importYoloSeg(store, image, label.string(), names));
    }
    if (unlabelled) std::cout << unlabelled << " image(s) without a label file were not imported\n";
    printReport(total);
}

}  // namespace

void addDatasetCommands(CLI::App& app) {
    auto io = std::make_shared<ImportOptions>();
    auto* imp = app.add_subcommand("import", "Import existing annotations into a project (re-importing adds no duplicates)");
    imp->require_subcommand(1);
    auto* coco = imp->add_subcommand("coco", "COCO instances JSON (also LVIS): polygons, RLE; crowd regions skipped");
    coco->add_option("PROJECT", io->project, "Project file")->required();
    coco->add_option("JSON", io->files, "Annotation file(s)")->required();
    coco->add_option("--images", io->images, "Folder of the images (default: the JSON's folder)");
    coco->callback([io] { importCoco(*io); });
    auto* lm = imp->add_subcommand("labelme", "LabelMe JSON files or folders of them");
    lm->add_option("PROJECT", io->project, "Project file")->required();
    lm->add_option("FILES", io->files, "JSON files or folders")->required();
    lm->callback([io] { importLabelMe(*io); });
    auto* yolo = imp->add_subcommand("yolo", "YOLO-seg: images and label .txt files paired by stem");
    yolo->add_option("PROJECT", io->project, "Project file")->required();
    yolo->add_option("--images", io->images, "Folder of images")->required();
    yolo->add_option("--labels", io->labels, "Folder of label files")->required();
    yolo->add_option("--names", io->names, "Class names, one per line in id order");
    yolo->callback([io] { importYolo(*io); });

    auto o = std::make_shared<ValidateOptions>();
    auto* cmd = app.add_subcommand("validate", "Check an MLLM fine-tuning file (JSON or JSONL) before training on it");
    cmd->add_option("FILE", o->file, "Dataset file")->required()->check(CLI::ExistingFile);
    cmd->add_option("--image-root", o->check.imageRoot, "Folder relative image paths start from (default: the file's folder)");
    cmd->add_option("--codebook-size", o->check.codebookSize, "Codes per codebook")->capture_default_str();
    cmd->add_flag("--no-paths", o->noPaths, "Do not check that image files exist");
    cmd->add_flag("--decode", o->decode, "Also decode every token pair on its image with the model");
    addModelOptions(cmd, o->model, /*required=*/false);
    cmd->add_flag("--json", o->json, "Print JSON");
    cmd->callback([o] { validate(*o); });
}

}  // namespace samtok::cli
