// samtok validate: the pre-flight checks of an MLLM fine-tuning file.
#include "cli/Commands.h"
#include "cli/ModelOptions.h"
#include "dataset/Import.h"
#include "dataset/Validator.h"
#include "dataset/YoloSeg.h"
#include "export/Target.h"
#include "io/ImageIO.h"
#include "store/AddImages.h"
#include "store/ProjectStore.h"
#include "util/Error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

namespace fs = std::filesystem;

namespace samtok::cli {
namespace {

struct ValidateOptions {
    std::string file;
    dataset::ValidationOptions check;
    std::string target;
    bool noPaths = false;
    bool decode = false;
    bool json = false;
    ModelOptions model;
};

void validate(ValidateOptions& o) {
    o.check.checkPaths = !o.noPaths;
    if (!o.target.empty()) o.check.target = exporter::targetFromString(o.target);
    std::unique_ptr<pipeline::ActiveModel> active;
    const model::Tokenizer* tok = nullptr;
    if (o.decode) {
        active = loadModel(o.model);
        tok = &active->tokenizer();
        o.check.codebookSize = tok->config().codebookSize;
    }
    auto report = dataset::validateDataset(o.file, o.check);
    int decoded = 0, empty = 0;
    if (tok) {
        // Every pair decodes on its own image: one embedding per image.
        const fs::path root =
            o.check.imageRoot.empty() ? fs::absolute(o.file).parent_path() : fs::path(o.check.imageRoot);
        std::map<std::string, std::vector<const dataset::ValidationReport::Pair*>> byImage;
        for (const auto& p : report.pairs)
            if (!p.image.empty()) byImage[p.image].push_back(&p);
        for (const auto& [image, pairs] : byImage) {
            const fs::path path = fs::path(image).is_absolute() ? fs::path(image) : root / image;
            try {
                const DecodedImage img = readImage(path.string());
                const auto emb = tok->embed({img.rgb.data, img.rgb.cols, img.rgb.rows, img.rgb.step});
                std::vector<TokenPair> codes;
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
        for (const auto& i : report.issues)
            issues.push_back({{"line", i.line}, {"record", i.record}, {"message", i.message}});
        std::cout << nlohmann::json{{"file", o.file},          {"records", report.records},
                                    {"images", report.images}, {"mask_groups", report.maskGroups},
                                    {"decoded", decoded},      {"decoded_empty", empty},
                                    {"issues", issues}}
                         .dump(2)
                  << "\n";
    } else {
        for (const auto& i : report.issues)
            std::cout << o.file << (i.line ? ":" + std::to_string(i.line) : std::string()) << ": " << i.message << "\n";
        std::cout << report.records << " record(s), " << report.images << " image(s), " << report.maskGroups
                  << " mask group(s)";
        if (tok) std::cout << ", " << decoded << " decoded (" << empty << " empty)";
        std::cout << ": "
                  << (report.issues.empty() ? "no problems" : std::to_string(report.issues.size()) + " problem(s)")
                  << "\n";
    }
    if (!report.issues.empty())
        throw UserError(std::to_string(report.issues.size()) + " problem(s) in '" + o.file + "'");
}

struct ImportOptions {
    std::string project;
    std::vector<std::string> files;
    std::string images, labels, names;
    std::string refs, instances, split, masks, className;
    bool instancesMode = false;
    dataset::MaskFolderOptions maskFolder;
    int ignoreValue = -1;
};

void printReport(const dataset::ImportReport& r) {
    for (const auto& n : r.notes) std::cerr << "samtok: " << n << "\n";
    for (const auto& s : r.skipped) std::cerr << "samtok: skipped " << s << "\n";
    if (r.imagesWithoutLabels)
        std::cout << r.imagesWithoutLabels << " image(s) without a label file were not imported\n";
    std::cout << "imported " << r.annotationsAdded << " annotation(s); images: " << r.imagesAdded << " added, "
              << r.imagesKnown << " already in the project; " << r.duplicates << " duplicate annotation(s) not added";
    if (r.crowdSkipped) std::cout << "; " << r.crowdSkipped << " crowd region(s) skipped";
    if (r.ignoredSkipped) std::cout << "; " << r.ignoredSkipped << " __ignore__ region(s) skipped";
    if (r.filesSkipped) std::cout << "; " << r.filesSkipped << " other JSON file(s) left alone";
    std::cout << "; " << r.skipped.size() << " record(s) skipped\n";
    if (!r.skipped.empty())
        throw UserError(std::to_string(r.skipped.size()) +
                        " record(s) could not be imported (listed above); the rest was saved");
}

void importCoco(const ImportOptions& o) {
    ProjectStore store = ProjectStore::open(o.project);
    dataset::ImportReport total;
    for (const auto& f : o.files)
        total.add(dataset::importCoco(store, f, o.images.empty() ? fs::path(f).parent_path().string() : o.images));
    printReport(total);
}

void importLabelMe(const ImportOptions& o) {
    ProjectStore store = ProjectStore::open(o.project);
    printReport(dataset::importLabelMeSources(store, o.files));
}

void importYolo(const ImportOptions& o) {
    ProjectStore store = ProjectStore::open(o.project);
    std::vector<std::string> names;
    if (o.names == "coco") {
        names = coco80ClassNames();
    } else if (!o.names.empty()) {
        std::ifstream in(o.names);
        if (!in) throw UserError("cannot read class names '" + o.names + "'");
        for (std::string l; std::getline(in, l);)
            if (!l.empty()) names.push_back(l);
    }
    printReport(dataset::importYoloFolder(store, o.images, o.labels, names));
}

void importReferring(const ImportOptions& o, bool generalised) {
    ProjectStore store = ProjectStore::open(o.project);
    const std::string instances =
        o.instances.empty() ? (fs::path(o.refs).parent_path() / "instances.json").string() : o.instances;
    const auto r = generalised ? dataset::importGRefCoco(store, o.refs, instances, o.images, o.split)
                               : dataset::importRefCoco(store, o.refs, instances, o.images, o.split);
    std::cout << r.expressionsAdded << " referring expression(s) added\n";
    printReport(r);
}

void importSa1b(const ImportOptions& o) {
    ProjectStore store = ProjectStore::open(o.project);
    dataset::ImportReport total;
    for (const auto& f : dataset::jsonFilesUnder(o.files))
        total.add(dataset::importSa1b(store, f, o.images.empty() ? fs::path(f).parent_path().string() : o.images));
    printReport(total);
}

// Annotation files of labelling tools: COCO / LVIS, LabelMe, YOLO-seg.
void addToolImports(CLI::App* imp, const std::shared_ptr<ImportOptions>& io) {
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
    yolo->add_option("--names", io->names, "Class names, one per line in id order; \"coco\": the 80 COCO classes");
    yolo->callback([io] { importYolo(*io); });
}

// Referring expressions and captions: RefCOCO, gRefCOCO, GCG, DAM.
void addTextImports(CLI::App* imp, const std::shared_ptr<ImportOptions>& io) {
    auto* ref = imp->add_subcommand("refcoco",
                                    "RefCOCO / RefCOCO+ / RefCOCOg: refs(<splitBy>).p (or its JSON) + instances.json");
    ref->add_option("PROJECT", io->project, "Project file")->required();
    ref->add_option("REFS", io->refs, "refs(unc).p, refs(umd).p, refs(google).p, or the same list as JSON")->required();
    ref->add_option("--instances", io->instances, "instances.json (default: beside REFS)");
    ref->add_option("--images", io->images, "Folder of the COCO train2014 images")->required();
    ref->add_option("--split", io->split, "Only refs of this split (train, val, testA, testB, test)");
    ref->callback([io] { importReferring(*io, false); });
    auto* gref = imp->add_subcommand("grefcoco",
                                     "gRefCOCO: grefs(unc).json + instances.json (multi- and no-target expressions)");
    gref->add_option("PROJECT", io->project, "Project file")->required();
    gref->add_option("REFS", io->refs, "grefs(unc).json")->required();
    gref->add_option("--instances", io->instances, "instances.json (default: beside REFS)");
    gref->add_option("--images", io->images, "Folder of the COCO train2014 images")->required();
    gref->add_option("--split", io->split, "Only refs of this split (train, val, testA, testB)");
    gref->callback([io] { importReferring(*io, true); });
    auto* gcg = imp->add_subcommand("gcg", "GLaMM grounded captions (COCO-style, captions + tokens_positive spans)");
    gcg->add_option("PROJECT", io->project, "Project file")->required();
    gcg->add_option("JSON", io->files, "Annotation file(s)")->required();
    gcg->add_option("--images", io->images, "Folder of the images")->required();
    gcg->callback([io] {
        ProjectStore store = ProjectStore::open(io->project);
        dataset::ImportReport total;
        for (const auto& f : io->files) total.add(dataset::importGcg(store, f, io->images));
        std::cout << total.captionsAdded << " grounded caption(s) added\n";
        printReport(total);
    });
    auto* dam = imp->add_subcommand("dam", "Describe-Anything region captions (image, caption, mask_rle)");
    dam->add_option("PROJECT", io->project, "Project file")->required();
    dam->add_option("JSON", io->files, "annotations.json file(s)")->required();
    dam->add_option("--images", io->images, "Folder of the images")->required();
    dam->callback([io] {
        ProjectStore store = ProjectStore::open(io->project);
        dataset::ImportReport total;
        for (const auto& f : io->files) total.add(dataset::importDam(store, f, io->images));
        std::cout << total.captionsAdded << " region caption(s) added\n";
        printReport(total);
    });
}

// Masks: SA-1B files, Pascal VOC, folders of mask PNGs.
void addMaskImports(CLI::App* imp, const std::shared_ptr<ImportOptions>& io) {
    auto* sa = imp->add_subcommand("sa1b", "SA-1B per-image JSON files (or folders of them): unlabelled regions");
    sa->add_option("PROJECT", io->project, "Project file")->required();
    sa->add_option("FILES", io->files, "JSON files or folders")->required();
    sa->add_option("--images", io->images, "Folder of the images (default: each JSON's folder)");
    sa->callback([io] { importSa1b(*io); });
    auto* voc = imp->add_subcommand("voc", "Pascal VOC: SegmentationObject (instances) + SegmentationClass PNGs");
    voc->add_option("PROJECT", io->project, "Project file")->required();
    voc->add_option("VOC_ROOT", io->images, "Folder holding JPEGImages/, SegmentationClass/, SegmentationObject/")
        ->required();
    voc->add_option("--split", io->split, "ImageSets/Segmentation/<split>.txt (default: every mask)");
    voc->callback([io] {
        ProjectStore store = ProjectStore::open(io->project);
        printReport(dataset::importVoc(store, io->images, io->split));
    });
    auto* mf =
        imp->add_subcommand("masks", "A folder of images and a folder of mask PNGs, paired by relative path and stem");
    mf->add_option("PROJECT", io->project, "Project file")->required();
    mf->add_option("--images", io->images, "Folder of images")->required();
    mf->add_option("--masks", io->masks, "Folder of masks")->required();
    mf->add_flag("--instances", io->instancesMode,
                 "Each non-zero value of a mask is its own region (palette / id maps)");
    mf->add_option("--ignore-value", io->ignoreValue,
                   "A mask value that is neither region nor background (GrabCut: 128)");
    mf->add_option("--class", io->className, "Class of every imported region");
    mf->add_option("--threshold", io->maskFolder.threshold,
                   "Binary masks: foreground is a value >= this (soft edges, e.g. DUTS: 128)")
        ->check(CLI::Range(1, 65535))
        ->capture_default_str();
    mf->add_flag("--connected-parts", io->maskFolder.connectedParts,
                 "Each region's connected parts become regions of their own (semantic labels as object-like regions)");
    mf->add_option("--min-part-area", io->maskFolder.minPartArea, "With --connected-parts: drop parts under N pixels")
        ->check(CLI::NonNegativeNumber);
    mf->add_option("--class-names", io->maskFolder.classNamesFile,
                   "'VALUE NAME' lines naming the class of each mask value (e.g. a labels.txt)")
        ->check(CLI::ExistingFile);
    mf->callback([io] {
        ProjectStore store = ProjectStore::open(io->project);
        dataset::MaskFolderOptions o = io->maskFolder;
        o.instances = io->instancesMode;
        o.ignoreValue = io->ignoreValue;
        o.className = io->className;
        printReport(dataset::importMaskFolder(store, io->images, io->masks, o));
    });
}

void addValidateCommand(CLI::App& app) {
    auto o = std::make_shared<ValidateOptions>();
    auto* cmd = app.add_subcommand("validate", "Check an MLLM fine-tuning file (JSON or JSONL) before training on it");
    cmd->add_option("FILE", o->file, "Dataset file")->required()->check(CLI::ExistingFile);
    cmd->add_option("--image-root", o->check.imageRoot,
                    "Folder relative image paths start from (default: the file's folder)");
    cmd->add_option("--codebook-size", o->check.codebookSize, "Codes per codebook")->capture_default_str();
    cmd->add_option("--target", o->target,
                    "Also apply the loader rules of one trainer: samtok-json, samtok-jsonl, llamafactory, swift, "
                    "llava, internvl (layout, placeholders, registrations beside the file, the mask tokens' "
                    "registration, image paths resolved where that trainer resolves them)");
    cmd->add_flag("--no-paths", o->noPaths, "Do not check that image files exist");
    cmd->add_flag("--decode", o->decode, "Also decode every token pair on its image with the model");
    addModelOptions(cmd, o->model, /*required=*/false);
    cmd->add_flag("--json", o->json, "Print JSON");
    cmd->callback([o] { validate(*o); });
}

}  // namespace

void addDatasetCommands(CLI::App& app) {
    auto io = std::make_shared<ImportOptions>();
    auto* imp =
        app.add_subcommand("import", "Import existing annotations into a project (re-importing adds no duplicates)");
    imp->require_subcommand(1);
    addToolImports(imp, io);
    addTextImports(imp, io);
    addMaskImports(imp, io);
    addValidateCommand(app);
}

}  // namespace samtok::cli
