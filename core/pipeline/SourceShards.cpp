#include "pipeline/SourceShards.h"

#include "dataset/ImportTarget.h"
#include "mask/CocoRle.h"
#include "pipeline/ProjectTokenizer.h"
#include "pipeline/ShardFile.h"
#include "store/Sqlite.h"
#include "util/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace fs = std::filesystem;
using nlohmann::json;

namespace samtok::pipeline {

SourceSpec sourceFromPath(const std::string& path, const std::string& imageRoot) {
    std::error_code ec;
    SourceSpec s;
    s.path = fs::absolute(path).lexically_normal().string();
    if (fs::is_directory(path, ec)) {
        s.kind = SourceSpec::Kind::Sa1b;
        s.imageRoot = s.path;
    } else if (fs::is_regular_file(path, ec) && fs::path(path).extension() == ".json") {
        s.kind = SourceSpec::Kind::Coco;
        s.imageRoot = fs::path(s.path).parent_path().string();
    } else {
        throw UserError("'" + path + "' is neither a COCO / LVIS instances file (.json) nor an SA-1B folder");
    }
    if (!imageRoot.empty()) s.imageRoot = fs::absolute(imageRoot).lexically_normal().string();
    return s;
}

namespace {

const char* kindName(SourceSpec::Kind k) {
    return k == SourceSpec::Kind::Coco ? "coco" : "sa1b";
}

// A source image as a shard sees it: the key its shard is chosen by, and where its regions are.
struct SourceImage {
    std::string key;
    std::int64_t cocoId = 0;  // COCO: the image id
    std::string jsonFile;     // SA-1B: the image's own JSON
};

std::vector<SourceImage> sourceImages(const SourceSpec& s, const json& coco) {
    std::vector<SourceImage> all;
    if (s.kind == SourceSpec::Kind::Coco) {
        if (!coco.is_object() || !coco.contains("images") || !coco["images"].is_array())
            throw FormatError("'" + s.path + "' is not a COCO instances file (no 'images' list)");
        for (const auto& im : coco["images"])
            if (im.is_object() && im.contains("id")) try {
                    const std::int64_t id = dataset::jsonId(im["id"]);
                    all.push_back({std::to_string(id), id, {}});
                } catch (const FormatError&) {  // the import names it with its position
                }
    } else {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(s.path, ec))
            if (e.path().extension() == ".json") all.push_back({e.path().stem().string(), 0, e.path().string()});
        if (ec) throw UserError("cannot read '" + s.path + "': " + ec.message());
        std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
    }
    return all;
}

// The scratch project of one shard run: beside its shard file, gone when the run ends however it ends.
struct Scratch {
    std::string path;
    explicit Scratch(std::string p) : path(std::move(p)) { remove(); }
    ~Scratch() { remove(); }
    void remove() const {
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix, ec);
    }
};

// One image's line: its regions from the scratch project, with their codes.
json imageLine(const ProjectStore& scratch, const ActiveModel& model, RowId imageId, const std::string& key,
               const std::map<RowId, std::int64_t>& sourceIds, const std::map<RowId, std::string>& classes,
               ShardRun& run) {
    const ImageRecord im = *scratch.image(imageId);
    json line{{"key", key},
              {"file", scratch.resolveImagePath(im)},
              {"width", im.width},
              {"height", im.height},
              {"checksum", im.checksum},
              {"regions", json::array()}};
    std::vector<DamagedAnnotation> damaged;
    const ImageTokens t = computeImageTokens(scratch, model.tokenizer(), std::nullopt, imageId, {}, &damaged);
    for (std::size_t i = 0; i < t.tokens.size(); ++i) {
        const Annotation& a = t.annotations[i];
        const auto id = sourceIds.find(a.id);
        const auto label = a.classId ? classes.find(*a.classId) : classes.end();
        line["regions"].push_back(
            {{"id", id == sourceIds.end() ? json(nullptr) : json(id->second)},
             {"label", label == classes.end() ? std::string() : label->second},
             {"mask", {{"size", {a.mask.height, a.mask.width}}, {"counts", rle::toString(a.mask)}}},
             {"c0", t.tokens[i].c0},
             {"c1", t.tokens[i].c1},
             {"iou", t.tokens[i].reconstructionIou ? json(*t.tokens[i].reconstructionIou) : json(nullptr)}});
    }
    run.annotations += t.tokens.size();
    return line;
}

std::map<RowId, std::string> classNames(const ProjectStore& store) {
    std::map<RowId, std::string> names;
    for (const auto& c : store.classes()) names[c.id] = c.name;
    return names;
}

// COCO: the shard's images imported at once (one transaction), then tokenized one line each.
void tokenizeCocoImages(const SourceSpec& s, const json& coco, const std::vector<const SourceImage*>& todo,
                        ProjectStore& scratch, const ActiveModel& model, ShardAppender& file, ShardRun& run,
                        const std::function<void()>& step, const std::atomic<bool>* stop) {
    std::set<std::int64_t> only;
    for (const SourceImage* im : todo) only.insert(im->cocoId);
    dataset::ImportReport report;
    std::map<std::int64_t, RowId> ids;
    dataset::importingFile(s.path, [&] {
        scratch.transaction([&] {
            dataset::ImportTarget target(scratch, report);
            ids = dataset::addCocoInstances(target, coco, s.path, s.imageRoot, report, &only);
        });
        return report;
    });
    for (const auto& skipped : report.skipped) run.skipped.push_back(skipped);
    // The scratch image of each COCO image, through its annotations.
    std::map<std::int64_t, std::int64_t> imageOfAnnotation;
    for (const auto& a : coco["annotations"])
        if (a.is_object() && a.contains("id") && a.contains("image_id")) try {
                imageOfAnnotation[dataset::jsonId(a["id"])] = dataset::jsonId(a["image_id"]);
            } catch (const FormatError&) {
            }
    std::map<std::int64_t, RowId> scratchImage;
    std::map<RowId, std::int64_t> sourceIds;
    for (const auto& [cocoAnn, row] : ids) {
        sourceIds.emplace(row, cocoAnn);  // the same mask twice on an image: one region, the first id
        if (const auto a = scratch.annotation(row)) scratchImage[imageOfAnnotation[cocoAnn]] = a->imageId;
    }
    const auto classes = classNames(scratch);
    for (const SourceImage* im : todo) {
        if (stop && stop->load()) return;
        const auto found = scratchImage.find(im->cocoId);
        file.append(found == scratchImage.end()
                        ? json{{"key", im->key}, {"regions", json::array()}}  // no region to tokenize
                        : imageLine(scratch, model, found->second, im->key, sourceIds, classes, run));
        ++run.images;
        step();
    }
}

// SA-1B: one image at a time, its JSON imported and tokenized, then the next.
void tokenizeSa1bImages(const SourceSpec& s, const std::vector<const SourceImage*>& todo, ProjectStore& scratch,
                        const ActiveModel& model, ShardAppender& file, ShardRun& run, const std::function<void()>& step,
                        const std::atomic<bool>* stop) {
    for (const SourceImage* im : todo) {
        if (stop && stop->load()) return;
        json line{{"key", im->key}, {"regions", json::array()}};
        try {
            std::map<std::int64_t, RowId> ids;
            const auto report = dataset::importSa1b(scratch, im->jsonFile, s.imageRoot, &ids);
            for (const auto& skipped : report.skipped) run.skipped.push_back(skipped);
            std::map<RowId, std::int64_t> sourceIds;
            std::optional<RowId> imageId;
            for (const auto& [source, row] : ids) {
                sourceIds.emplace(row, source);
                if (const auto a = scratch.annotation(row)) imageId = a->imageId;
            }
            if (imageId) line = imageLine(scratch, model, *imageId, im->key, sourceIds, classNames(scratch), run);
        } catch (const UserError& e) {  // an unreadable file or image: said, and the shard goes on
            line["skipped"] = e.what();
            run.skipped.push_back(im->jsonFile + ": " + e.what());
        }
        file.append(line);
        ++run.images;
        step();
    }
}

}  // namespace

ShardRun tokenizeSourceShard(const SourceSpec& s, const ActiveModel& model, const ShardSpec& shard,
                             const std::string& outDir, const std::function<void(std::size_t, std::size_t)>& progress,
                             const std::atomic<bool>* stop) {
    ShardRun run;
    run.file = shardFilePath(outDir, model.sha256(), shard);
    const json coco = s.kind == SourceSpec::Kind::Coco ? dataset::readJsonFile(s.path) : json();
    std::vector<SourceImage> mine;
    for (SourceImage& im : sourceImages(s, coco))
        if (shardOf(im.key, shard.count) == shard.index) mine.push_back(std::move(im));

    json header = headerFor(model, shard, mine.size());
    header["source"] = {{"kind", kindName(s.kind)}, {"path", s.path}, {"images", s.imageRoot}};
    ShardAppender file(run.file, header, shard, model.sha256());
    if (file.finished()) {
        run.alreadyDone = true;
        run.images = file.lines().size();
        return run;
    }
    std::set<std::string> done;
    for (const auto& [n, j] : file.lines()) {
        done.insert(j.value("key", std::string()));
        run.annotations += j.value("regions", json::array()).size();
    }
    run.imagesBefore = done.size();
    std::vector<const SourceImage*> todo;
    for (const SourceImage& im : mine)
        if (!done.count(im.key)) todo.push_back(&im);

    std::size_t at = run.imagesBefore;
    const auto step = [&] {
        if (progress) progress(++at, mine.size());
    };
    const Scratch scratchFile(run.file + ".scratch.samtok");
    ProjectStore scratch = ProjectStore::create(scratchFile.path, "shard scratch");
    if (s.kind == SourceSpec::Kind::Coco)
        tokenizeCocoImages(s, coco, todo, scratch, model, file, run, step, stop);
    else
        tokenizeSa1bImages(s, todo, scratch, model, file, run, step, stop);
    if (stop && stop->load()) return run;
    file.append({{"done", true}, {"images", mine.size()}, {"annotations", run.annotations}});
    return run;
}

}  // namespace samtok::pipeline
