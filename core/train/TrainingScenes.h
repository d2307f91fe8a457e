#pragma once
// Training data for the embedded model, made on the fly at the model's input
// size: real COCO128-seg photos with their instances, and composites (COCO
// instances and textured procedural shapes pasted over photo backgrounds, with
// occlusion, holes and thin parts). Every sample is a pure function of its seed,
// so a resumed training run sees exactly the data an uninterrupted one would.
//
// Only COCO128-seg is read: GrabCut, Berkeley and DAVIS are evaluation sets.
#include "mask/Mask.h"
#include "mask/Polygon.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace samtok {

struct TrainingSample {
    cv::Mat rgb;               // size x size, CV_8UC3, RGB
    std::vector<Mask> masks;   // size x size instance masks, each non-empty
};

class TrainingScenes {
public:
    struct Options {
        int size = 256;              // model input size
        std::string cocoRoot;        // folder holding images/train2017 and labels/train2017
        double photoShare = 0.45;    // real photos with their own instances
        double sceneShare = 0.10;    // fully procedural scenes; the rest are composites
        // Smaller instances are dropped: 0.4 % of the frame (16 x 16 px at 256). Tiny COCO
        // objects would otherwise dominate the batches and stall the start of training.
        double minAreaShare = 0.004;
    };
    explicit TrainingScenes(Options options);

    // `masks` instances of one image (drawn with repetition when it has fewer).
    TrainingSample sample(std::uint64_t seed, int masks) const;

    std::size_t photoCount() const { return photos_.size(); }
    std::size_t instanceCount() const;

private:
    struct Photo {
        cv::Mat rgb;                    // stored at 2 x size for zoomed crops
        std::vector<Ring> instances;    // rings in that frame
    };
    Options options_;
    std::vector<Photo> photos_;
};

}  // namespace samtok
