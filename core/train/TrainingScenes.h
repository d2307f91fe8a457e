#pragma once
// Training data for the embedded model, made on the fly at the model's input
// size: real COCO128-seg photos with their instances, and composites (COCO
// instances and textured procedural shapes pasted over photo backgrounds, with
// occlusion, holes and thin parts). Every sample is a pure function of its seed,
// so a resumed training run sees exactly the data an uninterrupted one would.
//
// Photos come from a COCO128-seg folder and from projects (every importer is a
// training source): each project's images with their regions, drawn with a
// weight per project. GrabCut, Berkeley and DAVIS are evaluation sets: never
// import them into a training project.
#include "mask/CocoRle.h"
#include "mask/Mask.h"
#include "mask/Polygon.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace samtok {

struct TrainingSample {
    cv::Mat rgb;              // size x size, CV_8UC3, RGB
    std::vector<Mask> masks;  // size x size instance masks, each non-empty
};

// A project whose images and regions are training photos. weight scales how
// often each of its images is drawn, relative to the images of other sources.
struct TrainingProject {
    std::string path;
    double weight = 1.0;
};
// "PATH" or "PATH:WEIGHT".
TrainingProject parseTrainingProject(const std::string& spec);

class TrainingScenes {
public:
    struct Options {
        int size = 256;        // model input size
        std::string cocoRoot;  // folder holding images/train2017 and labels/train2017
        std::vector<TrainingProject> projects;
        // Called after each photo is loaded: (done, total) for progress lines.
        std::function<void(std::size_t, std::size_t)> progress;
        double photoShare = 0.45;  // real photos with their own instances
        double sceneShare = 0.10;  // fully procedural scenes; the rest are composites
        // Smaller instances are dropped: 0.4 % of the frame (16 x 16 px at 256). Tiny COCO
        // objects would otherwise dominate the batches and stall the start of training.
        double minAreaShare = 0.004;
    };
    explicit TrainingScenes(Options options);

    // `masks` instances of one image (drawn with repetition when it has fewer).
    TrainingSample sample(std::uint64_t seed, int masks) const;

    std::size_t photoCount() const { return photos_.size(); }
    std::size_t instanceCount() const;
    // "COCO128-seg: 126 photos, 929 instances; a.samtok: 1320 photos, 1440 regions (weight 1)"
    std::string describeSources() const;

private:
    struct Photo {
        cv::Mat rgb;                  // stored at 2 x size for zoomed crops
        std::vector<Ring> instances;  // rings in that frame (COCO128-seg)
        std::vector<Rle> masks;       // region masks in that frame (projects)
        std::size_t instanceCount() const { return instances.size() + masks.size(); }
    };
    struct Source {
        std::string name;
        double weight = 1.0;
        std::size_t photos = 0, instances = 0;
    };
    void loadCoco();
    void loadProject(const TrainingProject& project);
    const Photo& drawPhoto(std::mt19937_64& rng) const;

    Options options_;
    std::vector<Photo> photos_;
    std::vector<double> cumulativeWeight_;  // per photo, for weighted draws
    std::vector<Source> sources_;
};

}  // namespace samtok
