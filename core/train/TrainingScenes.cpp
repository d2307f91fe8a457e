#include "train/TrainingScenes.h"

#include "dataset/YoloSeg.h"
#include "io/ImageIO.h"
#include "mask/MaskCv.h"
#include "sample/SampleScenes.h"
#include "store/ProjectStore.h"
#include "util/Error.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace fs = std::filesystem;

namespace samtok {

namespace {

using Rng = std::mt19937_64;

double uniform(Rng& rng, double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
}
int uniformInt(Rng& rng, int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
}

Mask ringUnder(const Ring& ring, const cv::Matx23d& a, int size) {
    Ring r;
    r.reserve(ring.size());
    for (const Point& p : ring)
        r.push_back({a(0, 0) * p.x + a(0, 1) * p.y + a(0, 2), a(1, 0) * p.x + a(1, 1) * p.y + a(1, 2)});
    return ringsToMask({r}, size, size);
}

Mask maskUnder(const Rle& rle, const cv::Matx23d& a, int size) {
    cv::Mat out;
    cv::warpAffine(toMat255(rle::decode(rle)), out, cv::Mat(a), {size, size}, cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
    return fromMat(out, 127);
}

// A random crop of a (2 size)^2 frame (side 50..100 %, mild aspect change,
// optional mirror) mapped onto the size x size output.
cv::Matx23d randomCrop(Rng& rng, int frame, int size) {
    const double cw = frame * uniform(rng, 0.5, 1.0);
    const double ch = std::min<double>(frame, cw * uniform(rng, 0.8, 1.25));
    const double x0 = uniform(rng, 0, frame - cw), y0 = uniform(rng, 0, frame - ch);
    const double sx = size / cw, sy = size / ch;
    if (rng() % 2) return {-sx, 0, (x0 + cw) * sx, 0, sy, -y0 * sy};
    return {sx, 0, -x0 * sx, 0, sy, -y0 * sy};
}

cv::Mat warp(const cv::Mat& src, const cv::Matx23d& a, int size) {
    cv::Mat out;
    cv::warpAffine(src, out, cv::Mat(a), {size, size}, cv::INTER_LINEAR, cv::BORDER_REFLECT101);
    return out;
}

void jitterColours(cv::Mat& rgb, Rng& rng) {
    const double gain = uniform(rng, 0.75, 1.25), bias = uniform(rng, -20, 20);
    rgb.convertTo(rgb, -1, gain, bias);
    if (rng() % 4 == 0) cv::GaussianBlur(rgb, rgb, {3, 3}, 0);
}

// A procedural shape with a hole, thin part or concavity now and then.
cv::Mat proceduralShape(Rng& rng, int size) {
    cv::Mat m(size, size, CV_8U, cv::Scalar(0));
    const cv::Point c(uniformInt(rng, size / 8, size * 7 / 8), uniformInt(rng, size / 8, size * 7 / 8));
    const int r = uniformInt(rng, size / 14, size / 3);
    switch (rng() % 6) {
        case 0:
            cv::ellipse(m, c, {r, std::max(3, static_cast<int>(r * uniform(rng, 0.3, 1.0)))}, uniform(rng, 0, 180), 0,
                        360, 1, -1);
            break;
        case 1: {  // ring
            cv::circle(m, c, r, 1, -1);
            cv::circle(m, c, static_cast<int>(r * uniform(rng, 0.3, 0.7)), 0, -1);
            break;
        }
        case 2: {  // rotated box
            cv::RotatedRect box(c,
                                cv::Size2f(static_cast<float>(r * 2), static_cast<float>(r * uniform(rng, 0.3, 1.5))),
                                static_cast<float>(uniform(rng, 0, 180)));
            cv::Point2f v[4];
            box.points(v);
            std::vector<cv::Point> pts(v, v + 4);
            cv::fillConvexPoly(m, pts, 1);
            break;
        }
        case 3: {  // star or irregular polygon
            const int n = uniformInt(rng, 5, 11);
            std::vector<cv::Point> pts;
            for (int i = 0; i < n; ++i) {
                const double a = 2 * M_PI * i / n, rr = r * uniform(rng, 0.35, 1.0);
                pts.emplace_back(c.x + static_cast<int>(rr * std::cos(a)), c.y + static_cast<int>(rr * std::sin(a)));
            }
            cv::fillPoly(m, std::vector<std::vector<cv::Point>>{pts}, 1);
            break;
        }
        case 4: {  // thin curve: a branch, a wire, a leg
            std::vector<cv::Point> pts{c};
            for (int i = 0; i < 4; ++i)
                pts.emplace_back(pts.back().x + uniformInt(rng, -r, r), pts.back().y + uniformInt(rng, -r, r));
            cv::polylines(m, pts, false, 1, uniformInt(rng, 2, std::max(3, size / 40)));
            break;
        }
        default: {  // body with a thin handle
            cv::circle(m, c, r * 2 / 3, 1, -1);
            const double a = uniform(rng, 0, 2 * M_PI);
            cv::line(m, c,
                     {c.x + static_cast<int>(r * 1.6 * std::cos(a)), c.y + static_cast<int>(r * 1.6 * std::sin(a))}, 1,
                     uniformInt(rng, 2, std::max(3, r / 4)));
        }
    }
    return m;
}

void occlude(std::vector<Mask>& masks, const Mask& front) {
    for (Mask& m : masks)
        for (std::size_t i = 0; i < m.size(); ++i)
            if (front.data()[i]) m.data()[i] = 0;
}

}  // namespace

TrainingProject parseTrainingProject(const std::string& spec) {
    TrainingProject p{spec, 1.0};
    const auto colon = spec.rfind(':');
    if (colon == std::string::npos || colon == 0) return p;
    const std::string tail = spec.substr(colon + 1);
    char* end = nullptr;
    const double w = std::strtod(tail.c_str(), &end);
    if (tail.empty() || end != tail.c_str() + tail.size()) return p;  // a colon in the file name
    if (!(w > 0) || w > 1e6) throw UserError("'" + spec + "': a project's weight must be a number above 0");
    p.path = spec.substr(0, colon);
    p.weight = w;
    return p;
}

TrainingScenes::TrainingScenes(Options options) : options_(std::move(options)) {
    if (options_.size < 32) throw UserError("training size must be at least 32 pixels");
    if (!options_.cocoRoot.empty()) loadCoco();
    for (const TrainingProject& p : options_.projects) loadProject(p);
    double total = 0;
    for (const Source& src : sources_)
        for (std::size_t i = 0; i < src.photos; ++i) cumulativeWeight_.push_back(total += src.weight);
}

void TrainingScenes::loadCoco() {
    const fs::path images = fs::path(options_.cocoRoot) / "images" / "train2017";
    const fs::path labels = fs::path(options_.cocoRoot) / "labels" / "train2017";
    if (!fs::is_directory(images) || !fs::is_directory(labels))
        throw UserError("'" + options_.cocoRoot +
                        "' is not a COCO128-seg folder (expected images/train2017 and labels/train2017)");
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(images))
        if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    const int frame = 2 * options_.size;
    Source src{"COCO128-seg", 1.0};
    for (const fs::path& file : files) {
        const fs::path label = labels / (file.stem().string() + ".txt");
        if (!fs::exists(label)) continue;  // COCO128 has a few images without objects
        const DecodedImage img = readImage(file.string());
        Photo p;
        cv::resize(img.rgb, p.rgb, {frame, frame}, 0, 0, cv::INTER_AREA);
        for (auto& inst : readYoloSegLabels(label.string(), frame, frame)) p.instances.push_back(std::move(inst.ring));
        src.instances += p.instances.size();
        photos_.push_back(std::move(p));
        ++src.photos;
    }
    if (src.photos == 0) throw UserError("no labelled images under '" + options_.cocoRoot + "'");
    sources_.push_back(src);
}

// Every image of the project with at least one readable region, its regions
// scaled to the frame. An image that cannot be read is named and skipped.
void TrainingScenes::loadProject(const TrainingProject& project) {
    const ProjectStore store = ProjectStore::open(project.path);
    const int frame = 2 * options_.size;
    Source src{fs::path(project.path).filename().string(), project.weight};
    const std::vector<ImageRecord> images = store.images();
    std::size_t done = 0;
    for (const ImageRecord& rec : images) {
        if (options_.progress) options_.progress(++done, images.size());
        std::vector<DamagedAnnotation> damaged;
        const std::vector<Annotation> regions = store.readableAnnotationsForImage(rec.id, damaged);
        if (regions.empty()) continue;
        const std::string path = store.resolveImagePath(rec);
        DecodedImage img;
        try {
            img = readImage(path);
        } catch (const UserError& e) {
            std::fprintf(stderr, "training data: skipping '%s': %s\n", path.c_str(), e.what());
            continue;
        }
        if (img.rgb.cols != rec.width || img.rgb.rows != rec.height) {  // its regions would no longer line up
            std::fprintf(stderr, "training data: skipping '%s': the file is now %dx%d, the project recorded %dx%d\n",
                         path.c_str(), img.rgb.cols, img.rgb.rows, rec.width, rec.height);
            continue;
        }
        Photo p;
        cv::resize(img.rgb, p.rgb, {frame, frame}, 0, 0, cv::INTER_AREA);
        for (const Annotation& a : regions) {
            cv::Mat m;
            cv::resize(toMat255(rle::decode(a.mask)), m, {frame, frame}, 0, 0, cv::INTER_AREA);
            const Mask scaled = fromMat(m, 127);
            if (scaled.area() > 0) p.masks.push_back(rle::encode(scaled));
        }
        if (p.masks.empty()) continue;
        src.instances += p.masks.size();
        photos_.push_back(std::move(p));
        ++src.photos;
    }
    if (src.photos == 0) throw UserError("'" + project.path + "': no image with a readable region to train on");
    sources_.push_back(src);
}

std::size_t TrainingScenes::instanceCount() const {
    std::size_t n = 0;
    for (const Photo& p : photos_) n += p.instanceCount();
    return n;
}

std::string TrainingScenes::describeSources() const {
    std::ostringstream out;
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        const Source& s = sources_[i];
        out << (i ? "; " : "") << s.name << ": " << s.photos << " photos, " << s.instances << " regions";
        if (s.weight != 1.0) out << " (weight " << s.weight << ")";
    }
    return out.str();
}

const TrainingScenes::Photo& TrainingScenes::drawPhoto(Rng& rng) const {
    const double u = uniform(rng, 0, cumulativeWeight_.back());
    const auto it = std::upper_bound(cumulativeWeight_.begin(), cumulativeWeight_.end(), u);
    const auto i = std::min<std::size_t>(static_cast<std::size_t>(it - cumulativeWeight_.begin()), photos_.size() - 1);
    return photos_[i];
}

TrainingSample TrainingScenes::sample(std::uint64_t seed, int count) const {
    const int s = options_.size, frame = 2 * s;
    for (std::uint64_t attempt = 0;; ++attempt) {
        Rng rng(seed * 0x9E3779B97F4A7C15ull + attempt);
        TrainingSample out;
        const double mode = uniform(rng, 0, 1);
        if (photos_.empty() || mode < options_.sceneShare) {
            Scene scene = renderScene(static_cast<unsigned>(rng()), {s, s});
            out.rgb = scene.rgb;
            for (auto& inst : scene.instances) out.masks.push_back(std::move(inst.mask));
        } else if (mode < options_.sceneShare + options_.photoShare) {
            const Photo& p = drawPhoto(rng);
            const auto a = randomCrop(rng, frame, s);
            out.rgb = warp(p.rgb, a, s);
            jitterColours(out.rgb, rng);
            for (const Ring& r : p.instances) out.masks.push_back(ringUnder(r, a, s));
            for (const Rle& r : p.masks) out.masks.push_back(maskUnder(r, a, s));
        } else {
            out.rgb = warp(drawPhoto(rng).rgb, randomCrop(rng, frame, s), s);
            jitterColours(out.rgb, rng);
            const int objects = uniformInt(rng, 2, 6);
            for (int k = 0; k < objects; ++k) {
                cv::Mat shape, texture;
                if (rng() % 5 < 3) {  // a real instance, rescaled and moved
                    const Photo& p = drawPhoto(rng);
                    if (p.instanceCount() == 0) continue;
                    const std::size_t k = rng() % p.instanceCount();
                    double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
                    if (k < p.instances.size()) {
                        for (const Point& q : p.instances[k]) {
                            x0 = std::min(x0, q.x), y0 = std::min(y0, q.y), x1 = std::max(x1, q.x),
                            y1 = std::max(y1, q.y);
                        }
                    } else {
                        const PixelBox b = rle::toBbox(p.masks[k - p.instances.size()]);
                        x0 = b.x, y0 = b.y, x1 = b.x + b.width, y1 = b.y + b.height;
                    }
                    const double side = std::max({x1 - x0, y1 - y0, 4.0});
                    const double scale = s * uniform(rng, 0.12, 0.75) / side;
                    const double cx = uniform(rng, 0.1, 0.9) * s, cy = uniform(rng, 0.1, 0.9) * s;
                    const double mx = (x0 + x1) / 2, my = (y0 + y1) / 2;
                    const double flip = (rng() % 2) ? -1.0 : 1.0;
                    const cv::Matx23d a(flip * scale, 0, cx - flip * scale * mx, 0, scale, cy - scale * my);
                    shape = toMat(k < p.instances.size() ? ringUnder(p.instances[k], a, s)
                                                         : maskUnder(p.masks[k - p.instances.size()], a, s));
                    texture = warp(p.rgb, a, s);
                } else {
                    shape = proceduralShape(rng, s);
                    if (rng() % 2) {
                        texture = warp(drawPhoto(rng).rgb, randomCrop(rng, frame, s), s);
                    } else {
                        texture = cv::Mat(
                            s, s, CV_8UC3,
                            cv::Scalar(uniformInt(rng, 0, 255), uniformInt(rng, 0, 255), uniformInt(rng, 0, 255)));
                        cv::Mat noise(s, s, CV_8UC3);
                        cv::theRNG().state = rng();  // OpenCV's generator (one per thread): seed it from ours
                        cv::randn(noise, 0, uniform(rng, 2, 25));
                        texture += noise;
                    }
                }
                texture.copyTo(out.rgb, shape);
                const Mask front = fromMat(shape);
                occlude(out.masks, front);
                out.masks.push_back(front);
            }
        }
        out.masks.erase(std::remove_if(out.masks.begin(), out.masks.end(),
                                       [&](const Mask& m) { return m.area() < options_.minAreaShare * s * s; }),
                        out.masks.end());
        if (out.masks.empty()) continue;
        std::shuffle(out.masks.begin(), out.masks.end(), rng);
        const std::size_t distinct = out.masks.size();
        for (std::size_t i = distinct; i < static_cast<std::size_t>(count); ++i)
            out.masks.push_back(out.masks[i % distinct]);
        out.masks.resize(static_cast<std::size_t>(count));
        return out;
    }
}

}  // namespace samtok
