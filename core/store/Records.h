#pragma once
// The rows of a project, as the rest of the program sees them.
#include "mask/CocoRle.h"
#include "mask/Mask.h"
#include "tokens/TokenPair.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace samtok {

using RowId = std::int64_t;
using Millis = std::int64_t;  // milliseconds since the Unix epoch, UTC

enum class ImageStatus { Unlabelled, InProgress, Done, Reviewed };
enum class AnnotationSource { Click, Brush, Polygon, Import };
enum class ReviewState { Unreviewed, Accepted, Rejected };

const char* toString(ImageStatus s);
const char* toString(AnnotationSource s);
const char* toString(ReviewState s);
// Throw UserError naming the bad value.
ImageStatus imageStatusFromString(const std::string& s);
AnnotationSource annotationSourceFromString(const std::string& s);
ReviewState reviewStateFromString(const std::string& s);

struct ImageRecord {
    RowId id = 0;
    std::string path;  // as stored: relative to the project's folder when inside it
    int width = 0;
    int height = 0;
    std::string checksum;  // SHA-256 of the file's bytes
    ImageStatus status = ImageStatus::Unlabelled;
    Millis addedAt = 0;
};

struct LabelClass {
    RowId id = 0;
    std::string name;
    std::string color;  // "#rrggbb"
};

struct Annotation {
    RowId id = 0;
    RowId imageId = 0;
    std::optional<RowId> classId;
    Rle mask;  // size equals the image's
    AnnotationSource source = AnnotationSource::Brush;
    std::string caption;
    ReviewState review = ReviewState::Unreviewed;
    Millis createdAt = 0;
    Millis updatedAt = 0;
    // The vertices (image pixels) of a region drawn as one polygon, the shape its mask was filled from; empty for
    // every other region (and once its mask is edited by other means).
    std::vector<std::array<double, 2>> polygon;

    // Derived from the mask when stored; filled in when read.
    PixelBox bbox;
    std::uint64_t area = 0;
};

struct TokenizerModel {
    RowId id = 0;
    std::string name;
    std::string configJson;
    std::string checkpointSha256;
};

// A region's pair as stored, with the tokenizer that gave it.
struct MaskTokens : TokenPair {
    RowId annotationId = 0;
    RowId tokenizerId = 0;
    std::optional<double> reconstructionIou;
    Millis createdAt = 0;

    MaskTokens() = default;
    MaskTokens(RowId annotation, RowId tokenizer, TokenPair pair, std::optional<double> iou = std::nullopt,
               Millis at = 0)
        : TokenPair(pair), annotationId(annotation), tokenizerId(tokenizer), reconstructionIou(iou), createdAt(at) {}
};

// GRES: an expression about one image that refers to any number of its
// regions; none means "No target.".
struct ImageExpression {
    RowId id = 0;
    RowId imageId = 0;
    std::string text;
    std::vector<RowId> targets;  // annotation ids on the same image
};

// GCG: a phrase of a grounded caption, as a byte span of its UTF-8 text.
struct CaptionPhrase {
    std::size_t begin = 0;
    std::size_t end = 0;
    RowId annotationId = 0;
};

struct GroundedCaption {
    RowId imageId = 0;
    std::string text;
    std::vector<CaptionPhrase> phrases;  // ordered by begin
};

struct RegionQuestion {
    RowId id = 0;
    RowId annotationId = 0;
    std::string question;  // "<region>" marks where the region's tokens go
    std::string answer;
};

// One entry of the persistent undo history: what an edit did, as JSON the
// edit code reads back (store/EditLog.cpp keeps the rows, edit/ gives them meaning).
struct EditRecord {
    std::int64_t seq = 0;
    std::string label;  // "Add region", "Brush stroke", ...
    std::optional<RowId> imageId;
    std::string payload;
    bool undone = false;
};

Millis nowMillis();

}  // namespace samtok
