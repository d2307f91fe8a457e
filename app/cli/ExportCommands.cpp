// samtok export mllm | coco | labelme | yolo
#include "cli/Commands.h"
#include "cli/ModelOptions.h"
#include "cli/Progress.h"
#include "export/AnnotationExport.h"
#include "export/Export.h"
#include "pipeline/ProjectTokenizer.h"
#include "pipeline/SourceShards.h"
#include "store/ProjectStore.h"
#include "util/Checksum.h"
#include "util/Error.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

namespace samtok::cli {
namespace {

struct MllmOptions {
    std::string project, out, target = "samtok-jsonl", tasks = "refseg,gres,gcg,regioncap,vqa", paths = "relative";
    std::string templates, family, shards;
    bool link = false, unquoted = false, includeRejected = false;
    exporter::ExportOptions e;
    ModelOptions model;
};

// The project's tokenizer row for the chosen checkpoint, found by its checksum (the model is not loaded).
TokenizerModel tokenizerFor(const ProjectStore& store, const ModelOptions& m) {
    return pipeline::identifyModel(modelRequest(m))
        .requireIn(store,
                   "run `samtok tokenize " + store.path() + (m.model.empty() ? "" : " --model " + m.model) + "` first");
}

// The scratch project an export of shard files reads, beside the export folder; gone when the export ends.
struct ScratchProject {
    std::string path;
    explicit ScratchProject(std::string p) : path(std::move(p)) { remove(); }
    ~ScratchProject() { remove(); }
    void remove() const {
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix, ec);
    }
};

// The project an export reads: the project itself, or with --shards a scratch copy holding the shards' tokens
// (the project's, merged into the copy; or a source's, with no project at all).
ProjectStore openForExport(MllmOptions& o, std::optional<ScratchProject>& scratch, TokenizerModel& tok) {
    if (o.shards.empty()) {
        ProjectStore store = ProjectStore::open(o.project);
        tok = tokenizerFor(store, o.model);
        return store;
    }
    scratch.emplace(std::filesystem::absolute(o.out).lexically_normal().string() + ".scratch.samtok");
    pipeline::LoadedShards loaded;
    if (!o.project.empty()) {
        const ProjectStore project = ProjectStore::open(o.project);
        loaded = pipeline::copyWithShards(project, o.shards, scratch->path);
    }
    ProjectStore store =
        o.project.empty() ? ProjectStore::create(scratch->path, "shards") : ProjectStore::open(scratch->path);
    if (o.project.empty()) loaded = pipeline::loadSourceShards(store, o.shards);
    for (const auto& t : store.tokenizers())
        if (t.id == loaded.tokenizerId) tok = t;
    std::cerr << "samtok: " << loaded.annotations << " region(s) with tokens of " << loaded.tokenizer << " from "
              << loaded.shards << " shard file(s) in " << o.shards << "\n";
    return store;
}

void exportMllm(MllmOptions& o) {
    if (o.out.empty()) {  // with --shards and no project, the one folder given is the export's
        if (o.shards.empty())
            throw UserError("give the project and the export folder: samtok export mllm PROJECT OUT_DIR");
        std::swap(o.out, o.project);
    }
    o.e.outDir = o.out;
    o.e.target = exporter::targetFromString(o.target);
    o.e.tasks.clear();
    std::stringstream list(o.tasks);
    for (std::string t; std::getline(list, t, ',');)
        if (!t.empty()) o.e.tasks.push_back(exporter::taskFromString(t));
    if (o.paths != "relative" && o.paths != "absolute") throw UserError("--paths must be relative or absolute");
    o.e.paths = o.paths == "absolute" ? exporter::PathPolicy::Absolute : exporter::PathPolicy::Relative;
    if (!o.family.empty()) o.e.family = exporter::familyFromString(o.family);
    o.e.transfer = o.link ? exporter::ImageTransfer::Link : exporter::ImageTransfer::Copy;
    o.e.quoteMaskTokens = !o.unquoted;
    o.e.skipRejected = !o.includeRejected;
    if (!o.templates.empty()) o.e.templates = exporter::TemplatePools::fromJsonFile(o.templates);
    exporter::checkExportOptions(o.e);
    std::optional<ScratchProject> scratch;
    TokenizerModel tok;
    ProjectStore store = openForExport(o, scratch, tok);
    o.e.tokenizerId = tok.id;
    // The model is loaded only if a zoom-in crop needs tokens; it must be the one that gave the others.
    std::unique_ptr<pipeline::ActiveModel> net;
    o.e.tokenizeCrop = [&](const cv::Mat& rgb, const Mask& mask) {
        if (!net) net = loadModel(o.model);
        if (net->sha256() != tok.checkpointSha256)
            throw UserError("zoom-in crops need the model of the other tokens, " + tok.name + " (" +
                            tok.checkpointSha256.substr(0, 8) + "): name it with --model");
        return pipeline::tokenizeCrop(net->tokenizer(), rgb, mask);
    };
    Progress bar("export");
    o.e.progress = [&](std::size_t done, std::size_t total) { bar.update(done, total); };
    const auto r = exporter::exportDataset(store, o.e);
    bar.finish();
    if (!r.tokenizerWarning.empty()) std::cerr << "samtok: warning: " << r.tokenizerWarning << "\n";
    for (const auto& n : r.notes) std::cerr << "samtok: note: " << n << "\n";
    std::cout << "wrote " << r.total() << " record(s) on " << r.images << " image(s)";
    if (r.crops) std::cout << " and " << r.crops << " zoom-in crop(s)";
    std::cout << " to " << o.out << " (" << o.target << ", tokenizer " << tok.name << " "
              << tok.checkpointSha256.substr(0, 8) << ")\n";
    for (const auto& [split, tasks] : r.records) {
        std::cout << "  " << (split.empty() ? "all" : split) << ":";
        for (const auto& [task, n] : tasks) std::cout << " " << task << " " << n;
        std::cout << "\n";
    }
    if (r.meanIou)
        std::cout << "  " << r.regions << " region(s), mean reconstruction IoU " << *r.meanIou << ", "
                  << r.regionsBelowHalf << " below 0.5\n";
    for (const auto& f : r.files) std::cout << "  " << f << "\n";
    if (r.total() == 0)
        std::cerr << "samtok: nothing to export: regions need an expression, a class, a caption or questions "
                     "(see `samtok export mllm --help`)\n";
}

void printAnnotationReport(const exporter::AnnotationExportReport& r, const std::string& out) {
    for (const auto& n : r.notes) std::cerr << "samtok: note: " << n << "\n";
    std::cout << "wrote " << r.annotations << " annotation(s) of " << r.images << " image(s)";
    if (r.masksWritten) std::cout << " and " << r.masksWritten << " mask PNG(s)";
    std::cout << " to " << out << "\n";
}

// MLLM fine-tuning records with mask tokens, in any of the supported targets' layouts.
void addMllmExport(CLI::App* exp) {
    auto o = std::make_shared<MllmOptions>();
    auto* m = exp->add_subcommand("mllm",
                                  "MLLM fine-tuning records with SAMTok mask tokens, plus tokens.txt, "
                                  "mask_tokens_added.json and a README naming the tokenizer");
    m->add_option("PROJECT", o->project, "Project file (with --shards: may be left out)")->required();
    m->add_option("OUT_DIR", o->out, "Export folder (created)");
    m->add_option("--shards", o->shards,
                  "Folder of the shard files of a cluster run: their tokens are exported (the project is not "
                  "changed); without PROJECT, shards of a COCO / SA-1B source are exported alone");
    m->add_option("--records-per-file", o->e.recordsPerFile,
                  "samtok-jsonl / samtok-json: each split's records in files of at most N (NAME_train-00000-of-"
                  "00012.jsonl)");
    m->add_option("--target", o->target,
                  "samtok-json, samtok-jsonl (qwen-vl-finetune), llamafactory, swift, llava, internvl")
        ->capture_default_str();
    m->add_option(
         "--tasks", o->tasks,
         "Comma-separated: refseg (a region per expression, or per class with one instance), gres (expressions "
         "with any number of targets, classes with several, \"No target.\"), gcg (grounded captions), "
         "regioncap (region captions, SAMTok's zoom-in rule), vqa (region questions), refdet (opt-in: the box of "
         "each named region, in the --family's grounding form)")
        ->capture_default_str();
    m->add_option("--family", o->family,
                  "Model family the grounding markup and boxes are written for: qwen3-vl, qwen2.5-vl (boxes in pixels "
                  "of the resized image), qwen2-vl, internvl (<ref>/<box>) (default: internvl for --target internvl, "
                  "else qwen3-vl)");
    m->add_option("--min-pixels", o->e.minPixels, "Qwen2.5-VL resize limit the boxes are measured in")
        ->capture_default_str();
    m->add_option("--max-pixels", o->e.maxPixels, "Qwen2.5-VL resize limit the boxes are measured in")
        ->capture_default_str();
    m->add_option("--name", o->e.name, "Dataset name: file and registry entry names")->capture_default_str();
    m->add_option("--seed", o->e.seed, "Seed of the template choice and the split")->capture_default_str();
    m->add_option("--val", o->e.valFraction, "Share of images in a val split (by image)")->capture_default_str();
    m->add_option("--paths", o->paths, "relative (images copied under OUT_DIR/images) or absolute")
        ->capture_default_str();
    m->add_option("--path-prefix", o->e.pathPrefix,
                  "Where the export will live when trained on: records and meta files name PREFIX/images/... "
                  "(default: SAMTok and ms-swift records name the export folder; the others stay relative)");
    m->add_flag("--link", o->link, "Hard-link images instead of copying them (relative paths)");
    m->add_option("--templates", o->templates, "JSON of question templates per task, replacing the defaults");
    m->add_option("--no-target", o->e.noTargetPerImage, "\"No target.\" GRES samples per exhaustively labelled image")
        ->capture_default_str();
    m->add_flag("--assume-exhaustive", o->e.assumeExhaustive,
                "Treat every image as exhaustively labelled (else only images marked done or reviewed)");
    m->add_flag("--unquoted-masks", o->unquoted, "Write mask_2d unquoted, as SAMTok's GRES script (not valid JSON)");
    m->add_flag("--skip-untokenized", o->e.skipUntokenized, "Leave out regions without tokens instead of stopping");
    m->add_option("--min-iou", o->e.minReconstructionIou,
                  "Leave out regions whose tokens rebuild the mask below this IoU (SAMTok's scripts use 0.5)")
        ->capture_default_str();
    m->add_flag("--include-rejected", o->includeRejected, "Also export regions a reviewer rejected");
    m->add_flag("--require-official", o->e.requireOfficial,
                "Refuse tokens of any tokenizer but the official SAMTok one's kind (Hiera-L, 2 x 256 codes)");
    addModelOptions(m, o->model, /*required=*/false);
    m->callback([o] { exportMllm(*o); });
}

// COCO, LabelMe and YOLO-seg: the masks themselves, for other annotation tools.
void addAnnotationExports(CLI::App* exp) {
    auto c = std::make_shared<exporter::CocoExportOptions>();
    auto cm = std::make_shared<ModelOptions>();
    auto cp = std::make_shared<std::string>();
    auto withTokens = std::make_shared<bool>(false);
    auto* coco = exp->add_subcommand("coco", "COCO instances JSON, compressed RLE as pycocotools writes it");
    coco->add_option("PROJECT", *cp, "Project file")->required();
    coco->add_option("JSON", c->jsonPath, "Output file")->required();
    coco->add_option("--masks", c->masksDir, "Also write one 0/255 PNG per annotation here");
    coco->add_flag("--tokens", *withTokens, "Add each annotation's SAMTok codes (of --model) as \"samtok\"");
    addModelOptions(coco, *cm, /*required=*/false);
    coco->callback([=] {
        ProjectStore store = ProjectStore::open(*cp);
        if (*withTokens) c->tokenizerId = tokenizerFor(store, *cm).id;
        printAnnotationReport(exporter::exportCoco(store, *c), c->jsonPath);
    });

    auto lp = std::make_shared<std::pair<std::string, std::string>>();
    auto* lm = exp->add_subcommand("labelme", "LabelMe JSON per image (lossless mask shapes)");
    lm->add_option("PROJECT", lp->first, "Project file")->required();
    lm->add_option("OUT_DIR", lp->second, "Output folder")->required();
    lm->callback([lp] {
        ProjectStore store = ProjectStore::open(lp->first);
        printAnnotationReport(exporter::exportLabelMe(store, lp->second), lp->second);
    });

    auto yp = std::make_shared<std::pair<std::string, std::string>>();
    auto* yolo = exp->add_subcommand("yolo", "YOLO-seg labels/ and classes.txt (polygons: lossy)");
    yolo->add_option("PROJECT", yp->first, "Project file")->required();
    yolo->add_option("OUT_DIR", yp->second, "Output folder")->required();
    yolo->callback([yp] {
        ProjectStore store = ProjectStore::open(yp->first);
        printAnnotationReport(exporter::exportYoloSeg(store, yp->second), yp->second);
    });
}

}  // namespace

void addExportCommands(CLI::App& app) {
    auto* exp = app.add_subcommand(
        "export", "Export a project: MLLM fine-tuning data, or its masks as COCO / LabelMe / YOLO-seg");
    exp->require_subcommand(1);
    addMllmExport(exp);
    addAnnotationExports(exp);
}

}  // namespace samtok::cli
