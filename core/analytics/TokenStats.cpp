#include "analytics/TokenStats.h"

#include "store/ProjectStore.h"
#include "store/Sqlite.h"

#include <algorithm>
#include <stdexcept>

namespace samtok::analytics {

TokenStats collectTokenStats(const ProjectStore& store, RowId tokenizerId, int codebookSize) {
    if (codebookSize <= 0 || codebookSize > 4096) throw std::invalid_argument("codebook size out of range");
    TokenStats s;
    s.codebookSize = codebookSize;
    const auto k = static_cast<std::size_t>(codebookSize);
    s.c0Usage.assign(k, 0);
    s.c1Usage.assign(k, 0);
    s.pairUsage.assign(k * k, 0);
    auto& db = store.database();
    auto& q = db.prepare(
        "SELECT t.annotation_id, a.image_id, a.class_id, a.area, t.c0, t.c1, t.reconstruction_iou "
        "FROM tokens t JOIN annotations a ON a.id = t.annotation_id WHERE t.tokenizer_id = ?1 ORDER BY "
        "t.annotation_id");
    q.bind(1, tokenizerId);
    while (q.step()) {
        RegionTokenStat r;
        r.annotationId = q.int64(0);
        r.imageId = q.int64(1);
        if (!q.isNull(2)) r.classId = q.int64(2);
        r.area = static_cast<std::uint64_t>(q.int64(3));
        r.c0 = static_cast<int>(q.int64(4));
        r.c1 = static_cast<int>(q.int64(5));
        if (!q.isNull(6)) r.iou = q.real(6);
        if (r.c0 < codebookSize && r.c1 < codebookSize) {
            ++s.c0Usage[static_cast<std::size_t>(r.c0)];
            ++s.c1Usage[static_cast<std::size_t>(r.c1)];
            auto& cell = s.pairUsage[static_cast<std::size_t>(r.c0) * k + static_cast<std::size_t>(r.c1)];
            if (cell++ == 0) ++s.usedPairs;
        } else {
            ++s.outOfRange;
        }
        s.regions.push_back(r);
    }
    q.reset();
    s.unusedC0 = static_cast<int>(std::count(s.c0Usage.begin(), s.c0Usage.end(), 0));
    s.unusedC1 = static_cast<int>(std::count(s.c1Usage.begin(), s.c1Usage.end(), 0));
    return s;
}

std::vector<std::int64_t> iouHistogram(const std::vector<RegionTokenStat>& regions, int bins,
                                       std::optional<std::optional<RowId>> onlyClass) {
    if (bins <= 0) throw std::invalid_argument("a histogram needs at least one bin");
    std::vector<std::int64_t> counts(static_cast<std::size_t>(bins), 0);
    for (const auto& r : regions) {
        if (!r.iou || (onlyClass && *onlyClass != r.classId)) continue;
        const int bin = std::clamp(static_cast<int>(*r.iou * bins), 0, bins - 1);
        ++counts[static_cast<std::size_t>(bin)];
    }
    return counts;
}

std::vector<RegionTokenStat> lowestIou(const std::vector<RegionTokenStat>& regions, std::size_t limit) {
    std::vector<RegionTokenStat> out;
    for (const auto& r : regions)
        if (r.iou) out.push_back(r);
    const auto less = [](const RegionTokenStat& a, const RegionTokenStat& b) {
        return *a.iou != *b.iou ? *a.iou < *b.iou : a.annotationId < b.annotationId;
    };
    if (out.size() > limit) {
        std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(limit), out.end(), less);
        out.resize(limit);
    } else {
        std::sort(out.begin(), out.end(), less);
    }
    return out;
}

}  // namespace samtok::analytics
