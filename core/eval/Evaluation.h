#pragma once
// `samtok eval` as a use case: the round trip of each ground-truth instance
// through the tokenizer (mask -> two codes -> mask) and the standard click
// protocol on its prompt path (ClickProtocol.h), on a folder of images with
// masks paired by relative path and stem (../shared/data/README.md). Front-ends
// only print the report.
#include "model/Tokenizer.h"
#include "tokens/TokenPair.h"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace samtok::eval {

struct EvalOptions {
    std::string images, masks;
    bool instances = false;  // each non-zero value (or palette index) of a mask is one instance
    int ignoreValue = -1;    // mask value excluded from IoU (GrabCut: 128); -1: none
    int maxClicks = 20;      // click budget per instance, the NoC cap
    bool clicks = true;      // run the click protocol when the model can prompt
    int limit = 0;           // only the first N image/mask pairs; 0: all
    int search = 1;          // codes searched width x width around the latent (1: the quantizer's)
};

struct InstanceResult {
    std::string image, mask;
    int instance = 0;
    double bboxIou = 0;  // the instance's own bounding box as a mask: the baseline
    std::optional<TokenPair> codes;
    std::optional<double> roundTripIou;      // of the mask the decode returns
    std::optional<double> bestCandidateIou;  // of the best of the decoder's candidates
    std::vector<double> iouPerClick;         // empty without the click protocol
    int noc85 = 0, noc90 = 0;
};

struct EvalReport {
    std::size_t images = 0;  // evaluated
    int skippedImages = 0;   // mask size differs from the image's
    std::string model;
    int search = 1, maxClicks = 20;
    double seconds = 0;
    std::vector<InstanceResult> instances;
    std::vector<std::string> warnings;  // one line per skipped image

    double bboxBaselineMiou() const;
    bool hasRoundTrip() const;
    double roundTripMiou() const;
    double bestCandidateMiou() const;
    double roundTripShareAtLeast(double threshold) const;
    bool hasClicks() const;
    double meanNoc(double threshold) const;  // 0.85 or 0.90
    double miouAfterClicks(int k) const;     // k >= 1; 0 when k exceeds the budget
};

using EvalProgress = std::function<void(std::size_t done, std::size_t total)>;

// Throws UserError for folders without pairs and for unreadable images or masks.
EvalReport evaluate(const model::Tokenizer& tokenizer, const EvalOptions& options, const EvalProgress& progress = {});

// {"summary": {...}, "instances": [...]}: the JSON `samtok eval --json` prints.
nlohmann::json toJson(const EvalReport& report);

}  // namespace samtok::eval
