#pragma once
// What a researcher asks of a tokenized project: how well each region's two
// tokens rebuild it, by class and by size, and how the codebooks are used.
// Read in one query from the store; no Qt, so the CLI and tests share it.
#include "store/Records.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace samtok {
class ProjectStore;
}

namespace samtok::analytics {

struct RegionTokenStat {
    RowId annotationId = 0;
    RowId imageId = 0;
    std::optional<RowId> classId;
    std::uint64_t area = 0;
    int c0 = 0;
    int c1 = 0;
    std::optional<double> iou;  // reconstruction IoU, when it was measured
};

struct TokenStats {
    int codebookSize = 256;
    std::vector<RegionTokenStat> regions;  // in annotation order
    std::vector<std::int64_t> c0Usage;     // codebookSize counts
    std::vector<std::int64_t> c1Usage;
    std::vector<std::int32_t> pairUsage;  // codebookSize x codebookSize, row c0, column c1
    int unusedC0 = 0;
    int unusedC1 = 0;
    std::int64_t usedPairs = 0;
    std::int64_t outOfRange = 0;  // codes at or above the codebook size: counted nowhere else
};

// Every token of `tokenizerId` with its region's image, class and area.
TokenStats collectTokenStats(const ProjectStore& store, RowId tokenizerId, int codebookSize);

// Counts of IoU values in `bins` equal bins over [0, 1]; 1.0 falls in the last bin.
std::vector<std::int64_t> iouHistogram(const std::vector<RegionTokenStat>& regions, int bins,
                                       std::optional<std::optional<RowId>> onlyClass = std::nullopt);

// The regions with a measured IoU, lowest first (ties by annotation id), at most `limit`.
std::vector<RegionTokenStat> lowestIou(const std::vector<RegionTokenStat>& regions, std::size_t limit);

}  // namespace samtok::analytics
