#include "pipeline/ProjectTokenizer.h"

#include "io/ImageIO.h"
#include "mask/CocoRle.h"
#include "mask/MaskMetrics.h"
#include "util/Error.h"

#include <algorithm>
#include <exception>

namespace samtok::pipeline {

std::shared_ptr<const model::ImageEmbedding> embedImageFile(const model::Tokenizer& tokenizer,
                                                            const ImageRecord& record, const std::string& path) {
    const DecodedImage img = readImage(path);
    if (img.rgb.cols != record.width || img.rgb.rows != record.height)
        throw UserError("the file is now " + std::to_string(img.rgb.cols) + "x" + std::to_string(img.rgb.rows) +
                        ", the project recorded " + std::to_string(record.width) + "x" + std::to_string(record.height));
    return tokenizer.embed({img.rgb.data, img.rgb.cols, img.rgb.rows, img.rgb.step});
}

TokenPair tokenizeCrop(const model::Tokenizer& tokenizer, const cv::Mat& rgb, const Mask& mask) {
    const auto emb = tokenizer.embed({rgb.data, rgb.cols, rgb.rows, rgb.step});
    const auto codes = tokenizer.encode(*emb, {{mask.data(), mask.width(), mask.height()}});
    return codes.at(0);
}

namespace {

// The image's annotations that lack this tokenizer's tokens. A damaged one
// (its stored mask no longer decodes) cannot be tokenized: the others are, and
// it is named in `damaged`.
std::vector<Annotation> annotationsToTokenize(const ProjectStore& store, std::optional<RowId> tokenizerId,
                                              RowId imageId, std::vector<DamagedAnnotation>& damaged) {
    if (!tokenizerId) return store.readableAnnotationsForImage(imageId, damaged);  // a model the project never saw
    try {
        return store.annotationsNeedingTokens(*tokenizerId, imageId);
    } catch (const FormatError&) {
        std::vector<Annotation> todo;
        for (Annotation& a : store.readableAnnotationsForImage(imageId, damaged)) {
            const auto tokens = store.tokensFor(a.id);
            const bool has = std::any_of(tokens.begin(), tokens.end(),
                                         [&](const MaskTokens& t) { return t.tokenizerId == *tokenizerId; });
            if (!has) todo.push_back(std::move(a));
        }
        return todo;
    }
}

}  // namespace

ImageTokens computeImageTokens(const ProjectStore& store, const model::Tokenizer& tokenizer,
                               std::optional<RowId> tokenizerId, RowId imageId, const EmbeddingSource& embedding,
                               std::vector<DamagedAnnotation>* damagedOut) {
    ImageTokens out;
    std::vector<DamagedAnnotation> damaged;
    out.annotations = annotationsToTokenize(store, tokenizerId, imageId, damaged);
    if (damagedOut) damagedOut->insert(damagedOut->end(), damaged.begin(), damaged.end());
    if (out.annotations.empty()) return out;
    const auto record = store.image(imageId);
    if (!record) throw UserError("image " + std::to_string(imageId) + " is not in the project");
    const std::string path = store.resolveImagePath(*record);
    const auto emb = embedding ? embedding(*record, path) : embedImageFile(tokenizer, *record, path);
    std::vector<Mask> masks;
    std::vector<model::MaskView> views;
    for (const Annotation& a : out.annotations) masks.push_back(rle::decode(a.mask));
    for (const Mask& m : masks) views.push_back({m.data(), m.width(), m.height()});
    const auto codes = tokenizer.encode(*emb, views);
    const auto decoded = tokenizer.decode(*emb, codes);
    for (std::size_t i = 0; i < out.annotations.size(); ++i) {
        MaskTokens t;
        t.annotationId = out.annotations[i].id;
        t.tokenizerId = tokenizerId.value_or(0);
        t.c0 = codes[i].c0;
        t.c1 = codes[i].c1;
        t.reconstructionIou = maskIou(masks[i], Mask(decoded[i].height, decoded[i].width, decoded[i].mask));
        out.tokens.push_back(t);
    }
    return out;
}

std::size_t tokenizeImage(ProjectStore& store, const model::Tokenizer& tokenizer, RowId tokenizerId, RowId imageId,
                          const EmbeddingSource& embedding, std::vector<DamagedAnnotation>* damagedOut) {
    const ImageTokens computed = computeImageTokens(store, tokenizer, tokenizerId, imageId, embedding, damagedOut);
    std::size_t written = 0;
    store.transaction([&] {
        for (std::size_t i = 0; i < computed.tokens.size(); ++i) {
            // Another connection (the studio, a second `samtok`) may have changed the mask or removed the region
            // while its tokens were computed: tokens of the old mask would be wrong, so they wait for the next run.
            // (A new class or caption leaves the tokens right.)
            const auto now = store.annotation(computed.annotations[i].id);
            if (!now || !(now->mask == computed.annotations[i].mask)) continue;
            store.setTokens(computed.tokens[i]);
            ++written;
        }
    });
    return written;
}

TokenizeResult tokenizeProject(ProjectStore& store, const ActiveModel& model,
                               const std::function<void(const TokenizeProgress&)>& progress,
                               const std::atomic<bool>* stop) {
    TokenizeResult result;
    const model::Tokenizer& tokenizer = model.tokenizer();
    result.tokenizerId = model.rowIn(store);
    const std::vector<RowId> images = store.imagesNeedingTokens(result.tokenizerId);
    TokenizeProgress p;
    p.imagesTotal = images.size();
    for (RowId imageId : images) {
        if (stop && stop->load()) break;
        try {
            std::vector<DamagedAnnotation> damaged;
            const std::size_t n = tokenizeImage(store, tokenizer, result.tokenizerId, imageId, {}, &damaged);
            ++result.images;
            result.annotations += n;
            p.annotationsDone += n;
            for (const DamagedAnnotation& d : damaged) {
                const auto record = store.image(imageId);
                result.skipped.push_back((record ? store.resolveImagePath(*record) : std::to_string(imageId)) + ": " +
                                         d.reason);
            }
        } catch (const UserError& e) {  // an unreadable or changed image: the rest of the project goes on
            const auto record = store.image(imageId);
            result.skipped.push_back((record ? store.resolveImagePath(*record) : std::to_string(imageId)) + ": " +
                                     e.what());
        }
        ++p.imagesDone;
        if (progress) progress(p);
    }
    return result;
}

}  // namespace samtok::pipeline
