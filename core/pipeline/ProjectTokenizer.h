#pragma once
// Batch tokenization of a project: every annotation without tokens of the
// given tokenizer gets them, one image embedding per image, one transaction
// per image. Killed at any moment, a rerun resumes from what was committed and
// ends with the same tokens as an uninterrupted run.
#include "model/Tokenizer.h"
#include "pipeline/ActiveModel.h"
#include "store/ProjectStore.h"

#include <opencv2/core.hpp>

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace samtok::pipeline {

struct TokenizeProgress {
    std::size_t imagesDone = 0, imagesTotal = 0;
    std::size_t annotationsDone = 0;
};

struct TokenizeResult {
    RowId tokenizerId = 0;
    std::size_t images = 0;            // images whose annotations were tokenized
    std::size_t annotations = 0;       // annotations that got tokens
    std::vector<std::string> skipped;  // "path: reason" for images that could not be read, and damaged annotations
};

// The image's embedding, e.g. from a cache; empty: read the file and embed it.
using EmbeddingSource =
    std::function<std::shared_ptr<const model::ImageEmbedding>(const ImageRecord& image, const std::string& path)>;
std::shared_ptr<const model::ImageEmbedding> embedImageFile(const model::Tokenizer& tokenizer, const ImageRecord& image,
                                                            const std::string& path);

// The codes of the image's annotations that lack tokens of `tokenizerId` (every readable one when the project has
// no such tokenizer), computed but not written: what tokenizeImage writes and a shard records.
struct ImageTokens {
    std::vector<Annotation> annotations;
    std::vector<MaskTokens> tokens;  // one per annotation; tokenizerId is 0 for a tokenizer the project lacks
};
ImageTokens computeImageTokens(const ProjectStore& store, const model::Tokenizer& tokenizer,
                               std::optional<RowId> tokenizerId, RowId imageId, const EmbeddingSource& embedding = {},
                               std::vector<DamagedAnnotation>* damaged = nullptr);

// Tokens for the image's annotations that lack them, in one transaction; returns how many.
// Throws UserError when the image cannot be read or no longer matches the project.
// Annotations whose stored mask is damaged are left without tokens and listed in `damaged`.
std::size_t tokenizeImage(ProjectStore& store, const model::Tokenizer& tokenizer, RowId tokenizerId, RowId imageId,
                          const EmbeddingSource& embedding = {}, std::vector<DamagedAnnotation>* damaged = nullptr);

// The codes of one mask on an image that is not in the project (the zoom-in crop of a region caption):
// the exporter's tokenizeCrop, for the CLI and the studio alike.
TokenPair tokenizeCrop(const model::Tokenizer& tokenizer, const cv::Mat& rgb, const Mask& mask);

// Registers the model in the project (ActiveModel::rowIn) and tokenizes every image that needs it.
TokenizeResult tokenizeProject(ProjectStore& store, const ActiveModel& model,
                               const std::function<void(const TokenizeProgress&)>& progress = {},
                               const std::atomic<bool>* stop = nullptr);

}  // namespace samtok::pipeline
