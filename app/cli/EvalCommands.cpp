// samtok eval: round-trip quality of a tokenizer and click-to-mask quality of
// its prompt path on folders of images with ground-truth masks, with the
// standard protocol of ../shared/data/README.md.
#include "cli/Commands.h"
#include "cli/ModelOptions.h"
#include "cli/Progress.h"
#include "eval/Evaluation.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

namespace samtok::cli {
namespace {

struct EvalCliOptions {
    ModelOptions model;
    eval::EvalOptions eval;
    bool noClicks = false;
    bool json = false;
};

void printReport(const eval::EvalReport& r) {
    std::printf("images %zu, instances %zu (%.1f s)\n", r.images, r.instances.size(), r.seconds);
    if (r.hasRoundTrip()) {
        std::printf(
            "round trip    mIoU %.3f   >=0.5 %.1f%%   >=0.75 %.1f%%   >=0.9 %.1f%%%s\n", r.roundTripMiou(),
            100 * r.roundTripShareAtLeast(0.5), 100 * r.roundTripShareAtLeast(0.75), 100 * r.roundTripShareAtLeast(0.9),
            r.search > 1
                ? ("   (codes searched, " + std::to_string(r.search) + " x " + std::to_string(r.search) + ")").c_str()
                : "");
        std::printf(
            "              mIoU %.3f with the best of the decoder's candidates (it returns the one it ranks first)\n",
            r.bestCandidateMiou());
    }
    std::printf("bbox baseline mIoU %.3f\n", r.bboxBaselineMiou());
    if (r.hasClicks())
        std::printf("clicks        NoC@85 %.2f   NoC@90 %.2f   mIoU@1 %.3f   mIoU@3 %.3f   mIoU@5 %.3f\n",
                    r.meanNoc(0.85), r.meanNoc(0.90), r.miouAfterClicks(1), r.miouAfterClicks(3), r.miouAfterClicks(5));
}

void evaluate(EvalCliOptions o) {
    const auto active = loadModel(o.model);
    o.eval.clicks = !o.noClicks;
    Progress progress("eval");
    const eval::EvalReport report =
        eval::evaluate(active->tokenizer(), o.eval, [&](std::size_t done, std::size_t total) {
            if (done < total) progress.update(done, total);
        });
    progress.finish();
    for (const std::string& w : report.warnings) std::fprintf(stderr, "samtok: %s\n", w.c_str());
    if (o.json)
        std::cout << eval::toJson(report).dump(2) << "\n";
    else
        printReport(report);
}

}  // namespace

void addEvalCommands(CLI::App& app) {
    auto o = std::make_shared<EvalCliOptions>();
    auto* cmd = app.add_subcommand("eval", "Round-trip and click-to-mask quality on images with ground-truth masks");
    addModelOptions(cmd, o->model, /*required=*/false);
    cmd->add_option("--images", o->eval.images, "Folder of images (searched recursively)")->required();
    cmd->add_option("--masks", o->eval.masks, "Folder of masks, paired with images by relative path and stem")
        ->required();
    cmd->add_flag("--instances", o->eval.instances, "Each non-zero value (or palette index) of a mask is one instance");
    cmd->add_option("--ignore-value", o->eval.ignoreValue, "Mask value excluded from IoU (GrabCut: 128)");
    cmd->add_option("--max-clicks", o->eval.maxClicks, "Click budget per instance (NoC cap)")
        ->capture_default_str()
        ->check(CLI::Range(5, 100));
    cmd->add_flag("--no-clicks", o->noClicks, "Skip the click protocol");
    cmd->add_option("--limit", o->eval.limit, "Evaluate only the first N pairs");
    addSearchOption(cmd, o->eval.search);
    cmd->add_flag("--json", o->json, "Print JSON with a summary and every instance");
    cmd->callback([o] { evaluate(*o); });
}

}  // namespace samtok::cli
