// samtok train: trains a SAMTok model from scratch (the embedded default model
// is made with this command; MODEL_CARD.md gives the exact invocation).
#include "cli/Commands.h"
#include "model/DefaultModel.h"
#include "model/Runtime.h"
#include "train/Trainer.h"
#include "train/TrainingScenes.h"
#include "util/Error.h"

#include <CLI/CLI.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace samtok::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void onSignal(int) {
    g_stop = true;
}

struct TrainArgs {
    std::string config;  // empty: the embedded samtok-micro's
    std::string runDir;
    std::string coco;
    std::vector<std::string> projects;  // PATH or PATH:WEIGHT
    std::string exportPath;
    std::string device = "cpu";
    int threads = 0;
    int overfit = 0;
    double minInstanceArea = 0.004;
    std::string previewDir;
    int previewCount = 16;
    model::TrainOptions options;
};

std::string duration(double seconds) {
    char buf[32];
    const int s = static_cast<int>(seconds);
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%dh%02dm", s / 3600, s / 60 % 60);
    else
        std::snprintf(buf, sizeof buf, "%dm%02ds", s / 60, s % 60);
    return buf;
}

// What the trainer sees: the first samples of the run's data stream, each mask
// outlined in its own colour over the image, one PNG per image.
void writePreview(const TrainingScenes& scenes, const TrainArgs& a) {
    std::filesystem::create_directories(a.previewDir);
    for (int i = 0; i < a.previewCount; ++i) {
        const TrainingSample s =
            scenes.sample(a.options.seed * 1000003ull + static_cast<std::uint64_t>(i), a.options.masksPerImage);
        cv::Mat bgr;
        cv::cvtColor(s.rgb, bgr, cv::COLOR_RGB2BGR);
        for (std::size_t m = 0; m < s.masks.size(); ++m) {
            const Mask& mask = s.masks[m];
            const cv::Mat bin(mask.height(), mask.width(), CV_8UC1, const_cast<std::uint8_t*>(mask.data()));
            std::vector<std::vector<cv::Point>> contours;
            cv::findContours(bin.clone(), contours, cv::RETR_LIST, cv::CHAIN_APPROX_NONE);
            const cv::Scalar colour((m * 67) % 256, (m * 149 + 80) % 256, (m * 211 + 160) % 256);
            cv::drawContours(bgr, contours, -1, colour, 1);
        }
        const auto path = std::filesystem::path(a.previewDir) / ("sample-" + std::to_string(i) + ".png");
        if (!cv::imwrite(path.string(), bgr)) throw UserError("cannot write '" + path.string() + "'");
    }
    std::printf("%d samples written to %s\n", a.previewCount, a.previewDir.c_str());
}

void runTrain(TrainArgs& a) {
    runtime::configure(a.threads);
    if (a.config.empty()) a.config = model::findDefaultModel().config;  // not relative to where it runs
    std::ifstream in(a.config);
    if (!in) throw UserError("cannot read model config '" + a.config + "'");
    try {
        a.options.config = model::configFromJson({std::istreambuf_iterator<char>(in), {}});
    } catch (const std::invalid_argument& e) {
        throw UserError("'" + a.config + "': " + e.what());
    }
    a.options.runDir = a.runDir;
    a.options.device = a.device;

    TrainingScenes::Options so;
    so.size = a.options.config.imageSize;
    so.cocoRoot = a.coco;
    so.minAreaShare = a.minInstanceArea;
    for (const std::string& p : a.projects) so.projects.push_back(parseTrainingProject(p));
    const bool tty = isatty(fileno(stderr));
    so.progress = [tty](std::size_t done, std::size_t total) {
        if (tty && (done % 50 == 0 || done == total))
            std::fprintf(stderr, "\r\033[Kreading training images %zu/%zu", done, total);
        if (tty && done == total) std::fprintf(stderr, "\n");
    };
    const TrainingScenes scenes(so);
    if (!a.previewDir.empty()) {
        writePreview(scenes, a);
        return;
    }
    if (scenes.photoCount() == 0)
        std::fprintf(stderr, "training data: procedural scenes only at %d px (give --coco or --project for photos)\n",
                     so.size);
    else
        std::fprintf(stderr, "training data: %s; with composites and procedural scenes at %d px\n",
                     scenes.describeSources().c_str(), so.size);
    auto source = [&scenes, overfit = a.overfit](std::uint64_t seed, int masks) {
        if (overfit > 0) seed %= static_cast<std::uint64_t>(overfit);  // a handful of samples, seen again and again
        TrainingSample s = scenes.sample(seed, masks);
        model::TrainImage img;
        img.rgb.assign(s.rgb.data, s.rgb.data + s.rgb.total() * 3);
        for (const Mask& m : s.masks) img.masks.emplace_back(m.data(), m.data() + m.size());
        return img;
    };
    model::Trainer trainer(a.options, source);
    if (trainer.step() > 0) std::fprintf(stderr, "resuming %s at step %d\n", a.runDir.c_str(), trainer.step());

    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    trainer.run(
        [&](const model::TrainStatus& s) {
            const double eta = s.secondsPerStep * (s.steps - s.step);
            std::fprintf(stderr,
                         "%sstep %d/%d %5.1f%%  %.2f s/step (data %.0f%%)  ETA %s  loss %.3f  round-trip IoU %.3f  "
                         "prompt IoU %.3f  "
                         "codes %d+%d  lr %.2e%s",
                         tty ? "\r\033[K" : "", s.step, s.steps, 100.0 * s.step / s.steps, s.secondsPerStep,
                         s.secondsPerStep > 0 ? 100.0 * s.dataSeconds / s.secondsPerStep : 0.0, duration(eta).c_str(),
                         s.loss, s.roundTripIou, s.promptIou, s.codesInUse0, s.codesInUse1, s.learningRate,
                         tty ? "" : "\n");
        },
        &g_stop);
    if (tty) std::fprintf(stderr, "\n");
    if (g_stop) {
        std::fprintf(stderr, "stopped at step %d; checkpoint saved: rerun the same command to resume\n",
                     trainer.step());
        return;
    }
    const std::string out =
        a.exportPath.empty() ? (std::filesystem::path(a.runDir) / "model.safetensors").string() : a.exportPath;
    trainer.exportModel(out);
    std::printf("%s\n", out.c_str());
}

}  // namespace

void addTrainCommands(CLI::App& app) {
    auto args = std::make_shared<TrainArgs>();
    auto* cmd =
        app.add_subcommand("train", "Train a SAMTok model from scratch (resumes when RUN_DIR holds a checkpoint)");
    cmd->add_option("run_dir", args->runDir, "Run folder: checkpoint.pt, metrics.csv, model.safetensors")->required();
    cmd->add_option("--config", args->config, "Model config JSON (default: the embedded samtok-micro's)");
    cmd->add_option(
        "--coco", args->coco,
        "COCO128-seg folder (images/train2017, labels/train2017); without it only procedural scenes are used");
    cmd->add_option("--project", args->projects,
                    "A project whose images and regions are training photos, as PATH or PATH:WEIGHT (the weight "
                    "scales how often each of its images is drawn; default 1); repeat for several")
        ->type_name("PATH[:WEIGHT]");
    cmd->add_option("--steps", args->options.steps, "Optimiser steps")->capture_default_str();
    cmd->add_option("--images-per-step", args->options.imagesPerStep, "Images per step")->capture_default_str();
    cmd->add_option("--masks-per-image", args->options.masksPerImage, "Masks per image")->capture_default_str();
    cmd->add_option("--lr", args->options.learningRate, "Peak learning rate (AdamW, warm-up then cosine)")
        ->capture_default_str();
    cmd->add_option("--bce-weight", args->options.bceWeight, "Weight of the BCE mask loss")->capture_default_str();
    cmd->add_option("--focal-weight", args->options.focalWeight, "Weight of the focal mask loss (SAM: 20, with Dice 1)")
        ->capture_default_str();
    cmd->add_option("--dice-weight", args->options.diceWeight, "Weight of the Dice mask loss")->capture_default_str();
    cmd->add_option("--commit-weight", args->options.commitWeight, "Weight of the commitment loss")
        ->capture_default_str();
    cmd->add_option("--quantizer-warmup", args->options.quantizerWarmupSteps,
                    "Steps during which the decoder reads the unquantized latent")
        ->capture_default_str();
    cmd->add_option_function<std::string>(
           "--attention-init", [args](const std::string& v) { args->options.alignedAttentionInit = v == "aligned"; },
           "aligned: each attention starts with k_proj = q_proj, so a prompt finds its image position from the first "
           "step; random: PyTorch's default (default: aligned)")
        ->check(CLI::IsMember({"aligned", "random"}));
    cmd->add_option("--attention-gain", args->options.attentionInitGain, "Gain of the aligned attention init")
        ->capture_default_str();
    auto* allCandidates = cmd->add_flag_callback(
        "--round-trip-all-candidates", [args] { args->options.roundTripCandidates = model::RoundTripCandidates::All; },
        "Train every multimask candidate on the round trip (default: the best one)");
    cmd->add_flag_callback(
           "--round-trip-returned",
           [args] { args->options.roundTripCandidates = model::RoundTripCandidates::BestAndReturned; },
           "Train the best candidate and the one the IoU head ranks first, which a decode returns (default: the "
           "best one)")
        ->excludes(allCandidates);
    cmd->add_option("--corrective-clicks", args->options.maxCorrectiveClicks,
                    "Most corrective clicks a prompt gets after its first box or click (none on a quarter of the "
                    "steps, else 0..N, each on the model's own error)")
        ->check(CLI::Range(0, 16))
        ->capture_default_str();
    cmd->add_option("--min-instance-area", args->minInstanceArea, "Drop instances smaller than this share of the frame")
        ->capture_default_str();
    cmd->add_option("--preview", args->previewDir,
                    "Write the first training samples, masks outlined, as PNGs to DIR and stop");
    cmd->add_option("--preview-count", args->previewCount, "How many samples --preview writes")->capture_default_str();
    cmd->add_option("--overfit", args->overfit,
                    "Sanity check: train on only N samples, which a working trainer must fit almost exactly");
    cmd->add_option("--init", args->options.initFrom, "Start from this model file instead of random weights")
        ->check(CLI::ExistingFile);
    cmd->add_flag(
        "--iou-head-only", args->options.iouHeadOnly,
        "Train only the IoU head of --init's decoder: its tokens and candidate masks stay exactly as they are, "
        "and only which candidate a decode (or a first click) returns can change");
    cmd->add_option("--seed", args->options.seed, "Seed of data and initialisation")->capture_default_str();
    cmd->add_option("--checkpoint-every", args->options.checkpointEvery, "Steps between checkpoints")
        ->capture_default_str();
    cmd->add_option("--log-every", args->options.logEvery, "Steps between progress lines and CSV rows")
        ->capture_default_str();
    cmd->add_option("--export", args->exportPath,
                    "Where to write the trained model (default RUN_DIR/model.safetensors)");
    cmd->add_option("--device", args->device, "cpu, or cuda / cuda:N when LibTorch has CUDA")->capture_default_str();
    cmd->add_option("--threads", args->threads, "CPU threads (default: all cores)");
    cmd->callback([args] {
        try {
            runTrain(*args);
        } catch (const std::invalid_argument& e) {
            throw UserError(e.what());
        }
    });
}

}  // namespace samtok::cli
