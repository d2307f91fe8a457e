#pragma once
// Turning one image's regions and text into task samples. Zoom-in crops are
// left pending (the crop's tokens read "{ZOOM_IN_SEG}") so that nothing is
// written or computed before the whole export is known to be possible.
#include "export/Export.h"

#include <set>
#include <unordered_map>

namespace samtok::exporter {

struct RegionText {
    std::vector<std::string> expressions;
    std::vector<RegionQuestion> questions;
};

struct ImageContent {
    ImageRecord image;
    std::string path;                  // absolute
    std::vector<Annotation> regions;   // the ones to export
    std::map<RowId, RegionText> text;  // by annotation id
    std::vector<ImageExpression> expressions;
    std::optional<GroundedCaption> caption;
};

struct PendingCrop {
    std::size_t sample = 0;  // index into the samples
    RowId imageId = 0;
    RowId annotationId = 0;
};

class SampleBuilder {
public:
    SampleBuilder(const ExportOptions& options, int codebookSize, std::map<RowId, std::string> classNames,
                  const std::unordered_map<RowId, MaskTokens>& tokens);

    // Appends the image's samples; regions without tokens are remembered in missing().
    void add(const ImageContent& content);

    std::vector<Sample>& samples() { return samples_; }
    const std::vector<Sample>& samples() const { return samples_; }
    const std::vector<PendingCrop>& crops() const { return crops_; }
    const std::set<RowId>& missing() const { return missing_; }
    const std::set<RowId>& poor() const { return poor_; }                         // below the IoU floor
    const std::map<RowId, std::optional<double>>& used() const { return used_; }  // regions in samples, their IoU
    const std::set<RowId>& seen() const { return seen_; }                         // every region of the images added
    const std::vector<std::string>& notes() const { return notes_; }

    static constexpr const char* kCropSlot = "{ZOOM_IN_SEG}";

private:
    std::optional<std::string> tokens(RowId annotationId);
    std::string maskAnswer(const std::vector<std::pair<std::string, std::string>>& masksAndLabels) const;
    Sample start(Task task, const ImageContent& c) const;
    void addRefSeg(const ImageContent& c, const std::vector<const Annotation*>& ordered);
    void addGres(const ImageContent& c, const std::vector<const Annotation*>& ordered);
    void addRefDet(const ImageContent& c, const std::vector<const Annotation*>& ordered);
    std::map<RowId, std::vector<std::string>> namingPhrases(const ImageContent& c,
                                                            const std::vector<const Annotation*>& ordered) const;
    void addGcg(const ImageContent& c);
    void addRegionCaptions(const ImageContent& c, const std::vector<const Annotation*>& ordered);
    void addRegionVqa(const ImageContent& c, const std::vector<const Annotation*>& ordered);

    const ExportOptions& o_;
    int codebookSize_;
    std::map<RowId, std::string> classNames_;
    const std::unordered_map<RowId, MaskTokens>& tokens_;
    std::vector<Sample> samples_;
    std::vector<PendingCrop> crops_;
    std::set<RowId> missing_, poor_;
    std::map<RowId, std::optional<double>> used_;
    std::set<RowId> seen_;
    std::vector<std::string> notes_;
};

// The template with its {X} filled, without doubling an article the phrase brings.
std::string fillPhrase(const std::string& question, const std::string& phrase);

// SAMTok's instance order: by box centre, left to right, then top to bottom.
std::vector<const Annotation*> instanceOrder(const std::vector<Annotation>& regions);

}  // namespace samtok::exporter
