#include "pipeline/ProjectTokenizer.h"

#include "io/ImageIO.h"
#include "mask/CocoRle.h"
#include "mask/MaskMetrics.h"
#include "util/Checksum.h"
#include "util/Error.h"

#include <exception>

namespace samtok::pipeline {

RowId registerTokenizer(ProjectStore& store, const model::Tokenizer& tokenizer, const std::string& name) {
    TokenizerModel m;
    m.name = name;
    m.configJson = model::configToJson(tokenizer.config());
    const std::string& path = tokenizer.info().checkpoint;
    m.checkpointSha256 = path.empty() ? "untrained" : sha256File(path);
    return store.registerTokenizer(m);
}

TokenizeResult tokenizeProject(ProjectStore& store, const model::Tokenizer& tokenizer, const std::string& name,
                               const std::function<void(const TokenizeProgress&)>& progress,
                               const std::atomic<bool>* stop) {
    TokenizeResult result;
    result.tokenizerId = registerTokenizer(store, tokenizer, name);
    const std::vector<RowId> images = store.imagesNeedingTokens(result.tokenizerId);
    TokenizeProgress p;
    p.imagesTotal = images.size();
    for (RowId imageId : images) {
        if (stop && stop->load()) break;
        const auto record = store.image(imageId);
        const std::string path = store.resolveImagePath(*record);
        const std::vector<Annotation> todo = store.annotationsNeedingTokens(result.tokenizerId, imageId);
        try {
            const DecodedImage img = readImage(path);
            if (img.rgb.cols != record->width || img.rgb.rows != record->height)
                throw UserError("the file is now " + std::to_string(img.rgb.cols) + "x" + std::to_string(img.rgb.rows) +
                                ", the project recorded " + std::to_string(record->width) + "x" +
                                std::to_string(record->height));
            const auto embedding = tokenizer.embed({img.rgb.data, img.rgb.cols, img.rgb.rows, img.rgb.step});
            std::vector<Mask> masks;
            std::vector<model::MaskView> views;
            for (const Annotation& a : todo) masks.push_back(rle::decode(a.mask));
            for (const Mask& m : masks) views.push_back({m.data(), m.width(), m.height()});
            const auto codes = tokenizer.encode(*embedding, views);
            const auto decoded = tokenizer.decode(*embedding, codes);
            store.transaction([&] {
                for (std::size_t i = 0; i < todo.size(); ++i) {
                    MaskTokens t;
                    t.annotationId = todo[i].id;
                    t.tokenizerId = result.tokenizerId;
                    t.c0 = codes[i].c0;
                    t.c1 = codes[i].c1;
                    t.reconstructionIou = maskIou(masks[i], Mask(decoded[i].height, decoded[i].width, decoded[i].mask));
                    store.setTokens(t);
                }
            });
            ++result.images;
            result.annotations += todo.size();
            p.annotationsDone += todo.size();
        } catch (const UserError& e) {  // an unreadable or changed image: the rest of the project goes on
            result.skipped.push_back(path + ": " + e.what());
        }
        ++p.imagesDone;
        if (progress) progress(p);
    }
    return result;
}

}  // namespace samtok::pipeline
