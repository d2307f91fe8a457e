// encode, decode, model info, bench: the commands that run the network.
#include "cli/Commands.h"
#include "cli/ModelOptions.h"
#include "cli/Progress.h"
#include "io/ImageIO.h"
#include "mask/MaskMetrics.h"
#include "model/Runtime.h"
#include "pipeline/ModelFetch.h"
#include "pipeline/ProjectTokenizer.h"
#include "pipeline/Shards.h"
#include "pipeline/SourceShards.h"
#include "store/ProjectStore.h"
#include "tokens/TokenText.h"
#include "util/Checksum.h"
#include "util/Error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace samtok::cli {
namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

model::RgbImageView view(const DecodedImage& img) {
    return {img.rgb.data, img.rgb.cols, img.rgb.rows, img.rgb.step};
}

// The one image that encode, decode and segment read, and whether to apply its EXIF orientation.
struct ImageOptions {
    std::string path;
    bool exifRotate = false;
};

void addImageOptions(CLI::App* cmd, ImageOptions& o, const std::string& help) {
    cmd->add_option("--image", o.path, help)->required();
    cmd->add_flag("--exif-rotate", o.exifRotate,
                  "Turn the image upright by its EXIF orientation (the official pipeline does not: masks made on "
                  "the stored pixels would no longer fit)");
}

DecodedImage readInputImage(const ImageOptions& o) {
    DecodedImage img = readImage(o.path, ImageReadOptions{o.exifRotate});
    if (!o.exifRotate && img.exifOrientation != 1)
        std::cerr << "note: '" << o.path << "' has EXIF orientation " << img.exifOrientation
                  << "; read as stored, like the official pipeline (--exif-rotate turns it upright)\n";
    return img;
}

struct EncodeOptions {
    ModelOptions model;
    ImageOptions image;
    std::vector<std::string> masks;
    bool json = false;
    int threshold = 127;
    int search = 1;
};

void encode(const EncodeOptions& o) {
    const auto active = loadModel(o.model);
    const model::Tokenizer* tok = &active->tokenizer();
    const DecodedImage img = readInputImage(o.image);
    std::vector<Mask> masks;
    for (const auto& path : o.masks) {
        masks.push_back(readMask(path, o.threshold));
        if (masks.back().width() != img.rgb.cols || masks.back().height() != img.rgb.rows)
            throw UserError("'" + path + "': the mask is " + std::to_string(masks.back().width()) + "x" +
                            std::to_string(masks.back().height()) + " but the image is " +
                            std::to_string(img.rgb.cols) + "x" + std::to_string(img.rgb.rows));
    }
    auto t0 = Clock::now();
    const auto emb = tok->embed(view(img));
    const double embedMs = msSince(t0);
    std::vector<model::MaskView> views;
    for (const Mask& m : masks) views.push_back({m.data(), m.width(), m.height()});
    t0 = Clock::now();
    const auto codes = tok->encodeSearched(*emb, views, o.search);
    const double encodeMs = msSince(t0);
    const int k = tok->config().codebookSize;
    if (!o.json) {
        for (const auto& c : codes) std::cout << formatMaskTokens(c, k) << "\n";
        return;
    }
    t0 = Clock::now();
    const auto decoded = tok->decode(*emb, codes);
    const double decodeMs = msSince(t0);
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < codes.size(); ++i) {
        const Mask back(decoded[i].height, decoded[i].width, decoded[i].mask);
        out.push_back({{"mask", o.masks[i]},
                       {"tokens", formatMaskTokens(codes[i], k)},
                       {"c0", codes[i].c0},
                       {"c1", codes[i].c1},
                       {"reconstruction_iou", maskIou(masks[i], back)},
                       {"reconstruction_boundary_iou", boundaryIou(masks[i], back)}});
    }
    nlohmann::json result{{"image", o.image.path},
                          {"model", tok->info().checkpoint},
                          {"masks", out},
                          {"search", o.search},
                          {"time_ms", {{"embed", embedMs}, {"encode", encodeMs}, {"decode", decodeMs}}}};
    std::cout << result.dump(2) << "\n";
}

struct DecodeOptions {
    ModelOptions model;
    ImageOptions image;
    std::string tokens, outDir = ".";
    bool firstCodeOnly = false;
    bool json = false;
};

void decode(const DecodeOptions& o) {
    // The text may be any model answer; "-" reads standard input, an existing file is read.
    std::string text = o.tokens;
    if (text == "-") {
        text.assign(std::istreambuf_iterator<char>(std::cin), {});
    } else if (std::filesystem::is_regular_file(text)) {
        std::ifstream in(text);
        text.assign(std::istreambuf_iterator<char>(in), {});
    }
    const auto active = loadModel(o.model);
    const model::Tokenizer* tok = &active->tokenizer();
    const TokenParse parsed = parseMaskTokens(text, tok->config().codebookSize);
    for (const auto& w : parsed.warnings) std::cerr << "warning: " << w << "\n";
    if (parsed.groups.empty()) throw UserError("no mask token group found in the text");
    const DecodedImage img = readInputImage(o.image);
    const auto emb = tok->embed(view(img));
    std::vector<TokenPair> codes;
    for (const auto& g : parsed.groups) codes.push_back({g.c0, g.c1});
    const auto decoded = tok->decode(
        *emb, codes, o.firstCodeOnly ? model::MissingCodeRule::FirstCodeOnly : model::MissingCodeRule::AsCodeZero);
    std::filesystem::create_directories(o.outDir);
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < decoded.size(); ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "mask_%02zu.png", i);
        const std::string path = (std::filesystem::path(o.outDir) / name).string();
        const Mask m(decoded[i].height, decoded[i].width, decoded[i].mask);
        writeMaskPng(m, path);
        out.push_back({{"file", path},
                       {"c0", codes[i].c0},
                       {"c1", codes[i].c1},
                       {"area", m.area()},
                       {"predicted_iou", decoded[i].predictedIou},
                       {"repair", parsed.groups[i].repair}});
        if (!o.json)
            std::cout << path << "  c0=" << codes[i].c0 << " c1=" << codes[i].c1 << "  area=" << m.area() << "\n";
    }
    if (o.json) std::cout << out.dump(2) << "\n";
}

struct SegmentOptions {
    ModelOptions model;
    ImageOptions image;
    std::string out = "mask.png";
    std::vector<std::string> points;  // "x,y" positive, "x,y,0" negative
    std::string box;                  // "x1,y1,x2,y2"
    bool json = false;
};

std::vector<float> parseNumbers(const std::string& text, const char* what) {
    std::vector<float> v;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t comma = std::min(text.find(',', pos), text.size());
        try {
            std::size_t used = 0;
            const std::string field = text.substr(pos, comma - pos);
            v.push_back(std::stof(field, &used));
            if (used != field.size()) throw std::invalid_argument(field);
        } catch (const std::exception&) {
            throw UserError(std::string("bad ") + what + " '" + text + "': expected comma-separated numbers");
        }
        pos = comma + 1;
    }
    return v;
}

// Click / box prompts -> the best candidate mask, as the studio's click tool does.
void segment(const SegmentOptions& o) {
    if (o.points.empty() && o.box.empty()) throw UserError("give at least one --point or a --box");
    const auto active = loadModel(o.model);
    const model::Tokenizer* tok = &active->tokenizer();
    const DecodedImage img = readInputImage(o.image);
    model::Prompt prompt;
    for (const auto& p : o.points) {
        const auto v = parseNumbers(p, "--point");
        if (v.size() != 2 && v.size() != 3)
            throw UserError("bad --point '" + p + "': expected x,y or x,y,0 for a negative click");
        prompt.points.push_back({v[0], v[1], v.size() == 2 || v[2] != 0});
    }
    if (!o.box.empty()) {
        const auto v = parseNumbers(o.box, "--box");
        if (v.size() != 4) throw UserError("bad --box '" + o.box + "': expected x1,y1,x2,y2");
        prompt.box = std::array<float, 4>{v[0], v[1], v[2], v[3]};
    }
    prompt.multimask = prompt.points.size() == 1 && !prompt.box;
    auto t0 = Clock::now();
    const auto emb = tok->embed(view(img));
    const double embedMs = msSince(t0);
    t0 = Clock::now();
    const auto candidates = tok->segment(*emb, prompt);
    const double segmentMs = msSince(t0);
    const auto& best = candidates.front().mask;
    const Mask m(best.height, best.width, best.mask);
    writeMaskPng(m, o.out);
    if (o.json) {
        nlohmann::json j{{"file", o.out},
                         {"area", m.area()},
                         {"predicted_iou", best.predictedIou},
                         {"object_score", best.objectScore},
                         {"embed_ms", embedMs},
                         {"segment_ms", segmentMs}};
        std::cout << j.dump(2) << "\n";
    } else {
        std::cout << o.out << "  area=" << m.area() << "  predicted IoU=" << best.predictedIou << "\n";
    }
}

struct TokenizeOptions {
    ModelOptions model;
    std::string project, shard, out, images;
};

// The project files directly inside a folder (`samtok project sample DIR` makes one), sorted.
std::vector<std::string> projectsInFolder(const std::string& folder) {
    std::error_code ec;
    std::vector<std::string> found;
    if (!std::filesystem::is_directory(folder, ec)) return found;
    for (const auto& e : std::filesystem::directory_iterator(folder, ec))
        if (e.path().extension() == ".samtok" && e.is_regular_file(ec)) found.push_back(e.path().string());
    std::sort(found.begin(), found.end());
    return found;
}

// A project file, or an annotation source too large for one (a COCO / LVIS JSON, an SA-1B folder).
bool isSource(const std::string& path) {
    return std::filesystem::is_directory(path) || std::filesystem::path(path).extension() == ".json";
}

// One shard of a cluster job: the project read-only, the tokens into a shard file of their own.
void tokenizeShard(const TokenizeOptions& o) {
    if (o.out.empty()) throw UserError("--shard needs --out DIR, the folder the shard files go to");
    const pipeline::ShardSpec shard = pipeline::parseShard(o.shard);
    const auto active = loadModel(o.model);
    Progress bar("shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count));
    const auto progress = [&](std::size_t done, std::size_t total) { bar.update(done, total); };
    const bool source = isSource(o.project);
    if (!source && !o.images.empty()) throw UserError("--images is for an annotation source (a COCO JSON)");
    const auto r =
        source ? pipeline::tokenizeSourceShard(pipeline::sourceFromPath(o.project, o.images), *active, shard, o.out,
                                               progress)
               : pipeline::tokenizeShard(ProjectStore::openReadOnly(o.project), *active, shard, o.out, progress);
    bar.finish();
    if (r.alreadyDone) {
        std::cout << "shard " << shard.index << "/" << shard.count << " is finished already (" << r.file
                  << "): nothing to do\n";
        return;
    }
    for (const auto& s : r.skipped) std::cerr << "samtok: skipped " << s << "\n";
    std::cout << "shard " << shard.index << "/" << shard.count << ": " << r.annotations << " annotation(s) in "
              << r.images + r.imagesBefore << " image(s)"
              << (r.imagesBefore ? " (" + std::to_string(r.imagesBefore) + " from an earlier run)" : std::string())
              << " -> " << r.file << "\n";
    if (source)
        std::cout << "export when every shard is done: samtok export mllm --shards " << o.out << " --out EXPORT_DIR\n";
    else
        std::cout << "merge when every shard is done: samtok tokens merge " << o.project << " " << o.out << "\n";
}

void mergeTokens(const std::string& project, const std::string& dir) {
    ProjectStore store = ProjectStore::open(project);
    const auto start = std::chrono::steady_clock::now();
    const auto r = pipeline::mergeShards(store, dir);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "merged " << r.shards << " shard(s) of " << r.tokenizer << ": " << r.annotations
              << " annotation(s) with tokens in " << s << " s";
    if (r.stale) std::cout << "; " << r.stale << " left out: their region changed or went since the shard ran";
    std::cout << "\n";
}

void tokenize(const TokenizeOptions& o) {
    if (!o.shard.empty()) return tokenizeShard(o);
    if (isSource(o.project)) {
        const auto inside = projectsInFolder(o.project);
        if (inside.size() == 1)
            throw UserError("'" + o.project + "' is a folder, not a project file: did you mean '" + inside[0] + "'?");
        if (inside.size() > 1) {
            std::string names;
            for (const auto& p : inside) names += (names.empty() ? "'" : ", '") + p + "'";
            throw UserError("'" + o.project + "' is a folder, not a project file; it holds " + names);
        }
        throw UserError("'" + o.project + "' is an annotation source (a COCO JSON or an SA-1B folder), not a " +
                        "project: tokenize it in shards (--shard K/N --out DIR; 0/1 for one), or import it into a " +
                        "project first");
    }
    if (!o.images.empty()) throw UserError("--images is for an annotation source (a COCO JSON) with --shard");
    ProjectStore store = ProjectStore::open(o.project);
    const auto active = loadModel(o.model);
    Progress bar("tokenize");
    const auto r = pipeline::tokenizeProject(
        store, *active, [&](const pipeline::TokenizeProgress& p) { bar.update(p.imagesDone, p.imagesTotal); });
    bar.finish();
    for (const auto& s : r.skipped) std::cerr << "samtok: skipped " << s << "\n";
    std::cout << "tokenized " << r.annotations << " annotation(s) in " << r.images << " image(s) with "
              << active->name() << "; " << store.annotationsNeedingTokens(r.tokenizerId) << " still without tokens\n";
    if (!r.skipped.empty())
        throw UserError(std::to_string(r.skipped.size()) + " image(s) or damaged annotation(s) skipped (listed above)");
}

void modelInfo(const ModelOptions& o) {
    const auto active = loadModel(o);
    const model::Tokenizer* tok = &active->tokenizer();
    const auto& i = tok->info();
    nlohmann::json j{{"checkpoint", i.checkpoint},
                     {"sha256", active->sha256()},
                     {"format", i.format},
                     {"parameters", i.parameters},
                     {"can_tokenize", i.canTokenize},
                     {"can_prompt", i.canPrompt},
                     {"device", i.device},
                     {"precision", i.precision},
                     {"load", i.loadSummary},
                     {"config", nlohmann::json::parse(model::configToJson(tok->config()))}};
    std::cout << j.dump(2) << "\n";
}

void modelGet(const std::string& name) {
    const net::KnownModel* m = net::findKnownModel(name);
    if (!m) {
        std::string names;
        for (const auto& k : net::knownModels()) names += (names.empty() ? "" : ", ") + k.name;
        throw UserError("unknown model '" + name + "' (choose " + names + ")");
    }
    std::cout << "getting " << m->name << " (" << m->about << ") from " << net::downloadUrl(*m) << "\n";
    Progress bar(m->file);
    net::DownloadOptions o;
    o.progress = [&](std::uint64_t done, std::uint64_t total) {
        bar.update(static_cast<std::size_t>(done), static_cast<std::size_t>(total));
    };
    const pipeline::FetchedModel f = pipeline::fetchModel(*m, o);
    bar.finish();
    char size[32];
    std::snprintf(size, sizeof size, "%.1f MB", f.bytes / 1e6);
    std::cout << (f.alreadyThere ? "already there and verified: " : "downloaded and verified: ") << f.path << " ("
              << size << ", SHA-256 " << f.sha256.substr(0, 16) << "…"
              << (f.resumedFrom ? ", resumed at " + std::to_string(f.resumedFrom) + " bytes" : std::string())
              << ")\nuse it by name: " << (m->role == net::ModelRole::Tokenizer ? "--model " : "--prompt-model ")
              << m->name << "\n";
}

void modelList() {
    std::cout << "models folder: " << net::modelsDir() << "\n";
    for (const auto& m : net::knownModels()) {
        const auto path = net::downloadedModel(m.name);
        std::printf("%-17s %-8s %-15s %s\n", m.name.c_str(),
                    m.role == net::ModelRole::Tokenizer ? "--model" : "--prompt",
                    path ? "downloaded" : "not downloaded", m.about.c_str());
    }
    std::cout << "get one with: samtok model get NAME\n";
}

struct BenchOptions {
    ModelOptions model;
    bool random = false;
    int masks = 20;
    int repeat = 3;
    std::string project;  // --project: a shard's throughput on its images
    int images = 0;       // of them at most (0: all)
};

// "VmHWM" (peak) or "VmRSS" (now) from /proc/self/status, in MB.
long memoryMib(const std::string& field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1)) / 1024;
    return -1;
}

// A shard's work on a project's images (read, embed, encode every region, decode it for its IoU), timed per run:
// images and masks per second as min / median / max of the runs.
void benchShard(const BenchOptions& o, const model::Tokenizer& tok) {
    const ProjectStore store = ProjectStore::openReadOnly(o.project);
    std::vector<ImageRecord> images = store.images();
    if (o.images > 0 && static_cast<int>(images.size()) > o.images) images.resize(static_cast<std::size_t>(o.images));
    std::vector<double> imagesPerS, masksPerS;
    std::size_t masks = 0;
    for (int r = 0; r < std::max(1, o.repeat); ++r) {
        masks = 0;
        const auto t = Clock::now();
        for (const ImageRecord& im : images)
            masks += pipeline::computeImageTokens(store, tok, std::nullopt, im.id).tokens.size();
        runtime::synchronize(o.model.device);
        const double s = msSince(t) / 1000;
        imagesPerS.push_back(images.size() / s);
        masksPerS.push_back(masks / s);
    }
    auto summary = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return nlohmann::json{{"min", v.front()}, {"median", v[v.size() / 2]}, {"max", v.back()}};
    };
    const nlohmann::json j{{"model", tok.config().name},
                           {"weights", tok.info().loadSummary},
                           {"device", tok.info().device},
                           {"threads", runtime::info().threads},
                           {"project", o.project},
                           {"images", images.size()},
                           {"masks", masks},
                           {"runs", imagesPerS.size()},
                           {"images_per_s", summary(imagesPerS)},
                           {"masks_per_s", summary(masksPerS)}};
    std::cout << j.dump(2) << "\n";
}

void bench(const BenchOptions& o) {
    std::unique_ptr<model::Tokenizer> untrained;
    std::unique_ptr<pipeline::ActiveModel> active;
    const model::Tokenizer* tok = nullptr;
    if (o.random) {
        runtime::configure(o.model.threads);
        ModelOptions m = o.model;
        if (m.config.empty()) m.config = "sam2.1_hiera_large";
        const auto request = modelRequest(m);  // --config is set: nothing is hashed or loaded to resolve it
        untrained = model::Tokenizer::untrained(pipeline::resolveModelConfig(request, m.model), m.device,
                                                model::parsePrecision(m.precision));
        tok = untrained.get();
    } else {
        active = loadModel(o.model);
        tok = &active->tokenizer();
    }
    if (!o.project.empty()) return benchShard(o, *tok);
    const auto rt = runtime::info();
    const long loadedMb = memoryMib("VmRSS");
    const int s = 640, h = 480;
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(s) * h * 3);
    for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 24);
    const model::RgbImageView img{pixels.data(), s, h, static_cast<std::size_t>(s) * 3};
    std::vector<std::vector<std::uint8_t>> maskData;
    for (int k = 0; k < o.masks; ++k) {
        std::vector<std::uint8_t> m(static_cast<std::size_t>(s) * h, 0);
        for (int y = 40 + 5 * k; y < 200 + 8 * k; ++y)
            for (int x = 30 + 10 * k; x < 180 + 12 * k; ++x) m[static_cast<std::size_t>(y) * s + x] = 1;
        maskData.push_back(std::move(m));
    }
    std::vector<model::MaskView> views;
    for (const auto& m : maskData) views.push_back({m.data(), s, h});

    auto best = [&](auto&& fn) {
        double b = 1e300;
        for (int r = 0; r < o.repeat; ++r) {
            const auto t = Clock::now();
            fn();
            runtime::synchronize(o.model.device);
            b = std::min(b, msSince(t));
        }
        return b;
    };
    std::shared_ptr<const model::ImageEmbedding> emb;
    const double embedMs = best([&] { emb = tok->embed(img); });
    const long peakAfterEmbedMb = memoryMib("VmHWM");
    const double encode1 = best([&] { tok->encode(*emb, {views[0]}); });
    const double encodeN = best([&] { tok->encode(*emb, views); });
    const double encodeSearched = best([&] { tok->encodeSearched(*emb, {views[0]}, 8); });
    std::vector<TokenPair> codes{{1, 2}};
    const double decode1 = best([&] { tok->decode(*emb, codes); });
    model::Prompt p;
    p.points = {{300, 200, true}};
    const double click = best([&] { tok->segment(*emb, p); });
    // One run of what tokenizing N masks of one image costs here: one embedding, one batched encode.
    const double tokenizeN = best([&] { tok->encode(*tok->embed(img), views); });
    // What one embedding per mask (the official scripts' way) would cost, from the parts: an estimate, not a run.
    const double perMaskEstimate = o.masks * (embedMs + encode1);
    nlohmann::json j{
        {"model", tok->config().name},
        {"weights", tok->info().loadSummary},
        {"device", tok->info().device},
        {"precision", tok->info().precision},
        {"threads", rt.threads},
        {"image", "640x480"},
        {"repeat_best_of", o.repeat},
        {"embed_ms", embedMs},
        {"encode_1_mask_ms", encode1},
        {"encode_1_mask_search_8_ms", encodeSearched},
        {"encode_" + std::to_string(o.masks) + "_masks_batched_ms", encodeN},
        {"decode_1_ms", decode1},
        {"click_to_mask_ms", click},
        {"tokenize_" + std::to_string(o.masks) + "_masks_ms", tokenizeN},
        {"tokenize_" + std::to_string(o.masks) + "_masks_one_embedding_per_mask_estimate_ms", perMaskEstimate},
        {"rss_after_load_mib", loadedMb},
        {"peak_rss_after_embed_mib", peakAfterEmbedMb},
        {"peak_rss_mib", memoryMib("VmHWM")}};
    std::cout << j.dump(2) << "\n";
}

void addCodecCommands(CLI::App& app) {
    auto eo = std::make_shared<EncodeOptions>();
    CLI::App* enc = app.add_subcommand("encode", "Turn masks of an image into SAMTok tokens");
    addModelOptions(enc, eo->model, /*required=*/false);
    addImageOptions(enc, eo->image, "Image file");
    enc->add_option("--mask", eo->masks, "Mask PNG(s) of the image's size")->required();
    enc->add_option("--threshold", eo->threshold, "Foreground where the mask value is above this (default 127)");
    enc->add_flag("--json", eo->json, "JSON with codes, reconstruction IoU and timings");
    addSearchOption(enc, eo->search);
    enc->callback([eo] { encode(*eo); });

    auto d = std::make_shared<DecodeOptions>();
    CLI::App* dec = app.add_subcommand("decode", "Decode the mask tokens in a text (any model answer) to mask PNGs");
    addModelOptions(dec, d->model, /*required=*/false);
    addImageOptions(dec, d->image, "Image the tokens refer to");
    dec->add_option("--tokens", d->tokens, "Text with <|mt_start|>...<|mt_end|> groups, a file, or - for stdin")
        ->required();
    dec->add_option("--out-dir", d->outDir, "Folder for mask_NN.png")->capture_default_str();
    dec->add_flag("--first-code-only", d->firstCodeOnly,
                  "Decode a missing second code from the first alone (default: as code 0, like the official code)");
    dec->add_flag("--json", d->json, "Print JSON");
    dec->callback([d] { decode(*d); });

    auto so = std::make_shared<SegmentOptions>();
    CLI::App* seg = app.add_subcommand("segment", "Click / box prompts to a mask PNG (the click tool, headless)");
    addModelOptions(seg, so->model, /*required=*/false);
    addImageOptions(seg, so->image, "Image file");
    seg->add_option("--point", so->points, "x,y of a positive click, x,y,0 of a negative one (repeatable)");
    seg->add_option("--box", so->box, "x1,y1,x2,y2 in image pixels");
    seg->add_option("--out", so->out, "Mask PNG to write")->capture_default_str();
    seg->add_flag("--json", so->json, "Print JSON");
    seg->callback([so] { segment(*so); });
}

void addTokenizeCommands(CLI::App& app) {
    auto to = std::make_shared<TokenizeOptions>();
    CLI::App* tk =
        app.add_subcommand("tokenize", "Give every annotation of a project the tokens of a model (resumable)");
    tk->add_option("PROJECT", to->project,
                   "Project file (.samtok); with --shard also a COCO / LVIS instances JSON or an SA-1B folder, "
                   "tokenized without a project")
        ->required();
    addModelOptions(tk, to->model, /*required=*/false);
    tk->add_option("--shard", to->shard,
                   "K/N: only shard K of N (by image), the project read-only, tokens to a shard file in --out; "
                   "auto/N takes K from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX. Resumes where its file ends");
    tk->add_option("--out", to->out, "Folder of the shard files (with --shard)");
    tk->add_option("--images", to->images,
                   "Where a COCO JSON's images are (file_name is looked up there; default: the JSON's folder)");
    tk->callback([to] { tokenize(*to); });

    auto merge = std::make_shared<std::pair<std::string, std::string>>();
    CLI::App* tokens = app.add_subcommand("tokens", "Work with tokens computed elsewhere");
    tokens->require_subcommand(1);
    CLI::App* m = tokens->add_subcommand(
        "merge", "Check every shard file of a cluster run and write their tokens into the project (idempotent)");
    m->add_option("PROJECT", merge->first, "Project file (.samtok)")->required();
    m->add_option("DIR", merge->second, "Folder of the shard files")->required();
    m->callback([merge] { mergeTokens(merge->first, merge->second); });
}

void addModelCommand(CLI::App& app) {
    auto mo = std::make_shared<ModelOptions>();
    CLI::App* model = app.add_subcommand("model", "Inspect, list and get models");
    model->require_subcommand(1);
    CLI::App* info = model->add_subcommand("info", "Config, parameter count, checksum and load report of a checkpoint");
    info->add_option("CHECKPOINT", mo->model, "Checkpoint file (default: the embedded samtok-micro)");
    info->add_option("--config", mo->config, "Built-in config name or JSON file (detected when omitted)");
    info->callback([mo] { modelInfo(*mo); });
    auto getName = std::make_shared<std::string>();
    CLI::App* get = model->add_subcommand(
        "get", "Download an official model into the user's models folder, resumably, and verify it by loading it");
    get->add_option("NAME", *getName,
                    "samtok-official (the SAMTok tokenizer), sam2.1-large, sam2.1-base-plus, sam2.1-small, "
                    "sam2.1-tiny (SAM 2.1 for click prompts); $HF_ENDPOINT names a mirror")
        ->required();
    get->callback([getName] { modelGet(*getName); });
    model->add_subcommand("list", "The official models, and which are downloaded")->callback([] { modelList(); });
}

void addBenchCommand(CLI::App& app) {
    auto bo = std::make_shared<BenchOptions>();
    CLI::App* b = app.add_subcommand("bench", "Time embedding, encode, decode and click-to-mask");
    addModelOptions(b, bo->model, /*required=*/false);
    b->add_flag("--random", bo->random,
                "Random weights of --config (default sam2.1_hiera_large): speed and memory only");
    b->add_option("--masks", bo->masks, "Masks tokenized together")->capture_default_str();
    b->add_option("--repeat", bo->repeat, "Runs per measurement (best is reported; with --project, all are)")
        ->capture_default_str();
    b->add_option("--project", bo->project,
                  "A shard's throughput instead: tokenize this project's images (read-only, nothing written) and "
                  "report images and masks per second, min / median / max of the runs");
    b->add_option("--images", bo->images, "With --project: at most this many of its images");
    b->callback([bo] { bench(*bo); });
}

}  // namespace

void addTokenCommands(CLI::App& app) {
    addCodecCommands(app);
    addTokenizeCommands(app);
    addModelCommand(app);
    addBenchCommand(app);
}

}  // namespace samtok::cli
