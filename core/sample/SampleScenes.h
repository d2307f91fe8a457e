#pragma once
// Procedural scenes the project renders itself, so it can ship a sample
// project (and, later, training data) with no third-party images.
#include "mask/Mask.h"

#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace samtok {

struct SceneInstance {
    std::string className;  // "disc", "ring", "box", "star", "triangle"
    Mask mask;              // visible part, after occlusion by later shapes
};

struct Scene {
    cv::Mat rgb;  // CV_8UC3
    std::vector<SceneInstance> instances;
};

// Deterministic for a given seed: textured shapes (some with holes) over a
// textured gradient, later shapes occluding earlier ones.
Scene renderScene(unsigned seed, cv::Size size = {640, 480});

// The class names renderScene uses, with display colours ("#rrggbb").
const std::vector<std::pair<std::string, std::string>>& sceneClasses();

// Creates `folder`/sample.samtok with `count` rendered images (PNG files in
// `folder`/images) and their instances as imported annotations. Returns the
// project path. Refuses a folder that already holds a project.
std::string createSampleProject(const std::string& folder, int count = 12);

}  // namespace samtok
