#include "sample/SampleScenes.h"

#include "io/ImageIO.h"
#include "mask/CocoRle.h"
#include "mask/MaskCv.h"
#include "store/ProjectStore.h"
#include "util/Checksum.h"
#include "util/Error.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

namespace fs = std::filesystem;

namespace samtok {
namespace {

cv::Vec3f randomColour(std::mt19937& rng) {
    std::uniform_real_distribution<float> u(30.f, 230.f);
    return {u(rng), u(rng), u(rng)};
}

// Smooth noise in [-1, 1]: blurred white noise at a random scale.
cv::Mat noiseTexture(std::mt19937& rng, cv::Size size, double scale) {
    cv::Mat n(size, CV_32F);
    cv::theRNG().state = rng();
    cv::randn(n, 0, 1);
    const int k = std::max(1, static_cast<int>(scale)) | 1;
    cv::GaussianBlur(n, n, {k, k}, scale / 2.0);
    double lo = 0, hi = 0;
    cv::minMaxLoc(n, &lo, &hi);
    const double r = std::max(std::abs(lo), std::abs(hi));
    return r > 0 ? n / r : n;
}

// Fills `shape` pixels of img with a shaded, textured colour.
void paint(cv::Mat& img, const cv::Mat& shape, const cv::Vec3f& colour, std::mt19937& rng) {
    cv::Mat tex = noiseTexture(rng, img.size(), 3 + rng() % 12);
    std::uniform_real_distribution<float> dir(-1.f, 1.f);
    const float gx = dir(rng), gy = dir(rng);
    for (int y = 0; y < img.rows; ++y) {
        const uchar* s = shape.ptr<uchar>(y);
        const float* t = tex.ptr<float>(y);
        cv::Vec3b* px = img.ptr<cv::Vec3b>(y);
        for (int x = 0; x < img.cols; ++x) {
            if (!s[x]) continue;
            const float shade = 1.f + 0.25f * (gx * x / img.cols + gy * y / img.rows) + 0.18f * t[x];
            for (int c = 0; c < 3; ++c) px[x][c] = cv::saturate_cast<uchar>(colour[c] * shade);
        }
    }
}

std::vector<cv::Point> starPoints(cv::Point2f c, float r, int spikes, float rotation) {
    std::vector<cv::Point> pts;
    for (int i = 0; i < spikes * 2; ++i) {
        const float rad = (i % 2 == 0) ? r : r * 0.45f;
        const float a = rotation + static_cast<float>(i) * static_cast<float>(CV_PI) / spikes;
        pts.emplace_back(static_cast<int>(c.x + rad * std::cos(a)), static_cast<int>(c.y + rad * std::sin(a)));
    }
    return pts;
}

cv::Mat drawShape(const std::string& cls, cv::Size size, std::mt19937& rng) {
    cv::Mat m = cv::Mat::zeros(size, CV_8UC1);
    const float minSide = static_cast<float>(std::min(size.width, size.height));
    std::uniform_real_distribution<float> ux(0.1f * size.width, 0.9f * size.width);
    std::uniform_real_distribution<float> uy(0.15f * size.height, 0.9f * size.height);
    std::uniform_real_distribution<float> ur(0.07f * minSide, 0.2f * minSide);
    std::uniform_real_distribution<float> ua(0.f, 360.f);
    const cv::Point2f c(ux(rng), uy(rng));
    const float r = ur(rng);
    if (cls == "disc") {
        cv::ellipse(m, cv::RotatedRect(c, cv::Size2f(2 * r, 2 * r * (0.6f + 0.4f * (rng() % 100) / 100.f)), ua(rng)),
                    cv::Scalar(255), -1);
    } else if (cls == "ring") {
        cv::circle(m, c, static_cast<int>(r), cv::Scalar(255), -1, cv::LINE_AA);
        cv::circle(m, c, static_cast<int>(r * 0.5f), cv::Scalar(0), -1, cv::LINE_AA);
    } else if (cls == "box") {
        cv::RotatedRect rr(c, cv::Size2f(2 * r, 1.3f * r), ua(rng));
        cv::Point2f v[4];
        rr.points(v);
        std::vector<cv::Point> pts(v, v + 4);
        cv::fillConvexPoly(m, pts, cv::Scalar(255), cv::LINE_AA);
    } else if (cls == "star") {
        cv::fillPoly(m, std::vector<std::vector<cv::Point>>{starPoints(c, r * 1.2f, 5, ua(rng))}, cv::Scalar(255),
                     cv::LINE_AA);
    } else {  // triangle, with a thin handle: a thin part for the tokenizer to keep
        const float a = ua(rng) * static_cast<float>(CV_PI) / 180.f;
        std::vector<cv::Point> tri;
        for (int i = 0; i < 3; ++i) {
            const float t = a + static_cast<float>(i) * 2.f * static_cast<float>(CV_PI) / 3.f;
            tri.emplace_back(static_cast<int>(c.x + r * std::cos(t)), static_cast<int>(c.y + r * std::sin(t)));
        }
        cv::fillConvexPoly(m, tri, cv::Scalar(255), cv::LINE_AA);
        cv::line(
            m, c,
            cv::Point(static_cast<int>(c.x - 1.8f * r * std::cos(a)), static_cast<int>(c.y - 1.8f * r * std::sin(a))),
            cv::Scalar(255), 3);
    }
    cv::threshold(m, m, 127, 255, cv::THRESH_BINARY);
    return m;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& sceneClasses() {
    static const std::vector<std::pair<std::string, std::string>> classes{
        {"disc", "#e6194b"}, {"ring", "#3cb44b"}, {"box", "#4363d8"}, {"star", "#f58231"}, {"triangle", "#911eb4"}};
    return classes;
}

Scene renderScene(unsigned seed, cv::Size size) {
    std::mt19937 rng(seed);
    Scene scene;
    cv::Mat img(size, CV_8UC3);
    // Background: sky-to-ground gradient with texture.
    const cv::Vec3f top = randomColour(rng), bottom = randomColour(rng);
    cv::Mat tex = noiseTexture(rng, size, 25);
    for (int y = 0; y < size.height; ++y) {
        const float t = static_cast<float>(y) / static_cast<float>(size.height - 1);
        cv::Vec3b* px = img.ptr<cv::Vec3b>(y);
        const float* n = tex.ptr<float>(y);
        for (int x = 0; x < size.width; ++x)
            for (int c = 0; c < 3; ++c)
                px[x][c] = cv::saturate_cast<uchar>((1 - t) * top[c] + t * bottom[c] + 20.f * n[x]);
    }
    const auto& classes = sceneClasses();
    const int count = 3 + static_cast<int>(rng() % 4);
    std::vector<cv::Mat> visible;
    for (int i = 0; i < count; ++i) {
        const std::string& cls = classes[rng() % classes.size()].first;
        cv::Mat shape = drawShape(cls, size, rng);
        // Soft shadow first, so shapes sit on the scene.
        cv::Mat shadow;
        cv::GaussianBlur(shape, shadow, {21, 21}, 8);
        cv::Mat shifted = cv::Mat::zeros(size, CV_8UC1);
        shadow(cv::Rect(0, 0, size.width - 6, size.height - 6))
            .copyTo(shifted(cv::Rect(6, 6, size.width - 6, size.height - 6)));
        for (int y = 0; y < size.height; ++y) {
            cv::Vec3b* px = img.ptr<cv::Vec3b>(y);
            const uchar* s = shifted.ptr<uchar>(y);
            for (int x = 0; x < size.width; ++x)
                for (int c = 0; c < 3; ++c)
                    px[x][c] = cv::saturate_cast<uchar>(px[x][c] * (1.f - 0.35f * s[x] / 255.f));
        }
        paint(img, shape, randomColour(rng), rng);
        for (cv::Mat& earlier : visible) earlier.setTo(0, shape);
        visible.push_back(shape);
        scene.instances.push_back({cls, Mask()});
    }
    for (std::size_t i = 0; i < visible.size(); ++i) scene.instances[i].mask = fromMat(visible[i]);
    // Drop instances occluded away to almost nothing.
    scene.instances.erase(std::remove_if(scene.instances.begin(), scene.instances.end(),
                                         [](const SceneInstance& s) { return s.mask.area() < 200; }),
                          scene.instances.end());
    cv::cvtColor(img, scene.rgb, cv::COLOR_BGR2RGB);
    return scene;
}

std::string createSampleProject(const std::string& folder, int count) {
    const fs::path dir(folder);
    const fs::path projectPath = dir / "sample.samtok";
    std::error_code ec;
    if (fs::exists(projectPath, ec))
        throw UserError("'" + projectPath.string() + "': a sample project is already there");
    fs::create_directories(dir / "images", ec);
    if (ec) throw UserError("'" + (dir / "images").string() + "': cannot create folder: " + ec.message());

    ProjectStore store = ProjectStore::create(projectPath.string(), "Sample scenes");
    std::map<std::string, RowId> classIds;
    store.transaction([&] {
        for (const auto& [name, colour] : sceneClasses()) classIds[name] = store.addClass(name, colour);
        for (int i = 0; i < count; ++i) {
            const Scene scene = renderScene(1000u + static_cast<unsigned>(i));
            char name[32];
            std::snprintf(name, sizeof name, "scene_%03d.png", i + 1);
            const fs::path imagePath = dir / "images" / name;
            cv::Mat bgr;
            cv::cvtColor(scene.rgb, bgr, cv::COLOR_RGB2BGR);
            // Encode once: the same bytes are written and checksummed.
            std::vector<unsigned char> png;
            cv::imencode(".png", bgr, png);
            std::ofstream out(imagePath, std::ios::binary);
            out.write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
            if (!out.flush()) throw UserError("'" + imagePath.string() + "': cannot write (disk full?)");
            const RowId imageId = store.addImage(
                {imagePath.string(), scene.rgb.cols, scene.rgb.rows, sha256Bytes(png.data(), png.size())});
            for (const SceneInstance& inst : scene.instances) {
                Annotation a;
                a.imageId = imageId;
                a.classId = classIds[inst.className];
                a.mask = rle::encode(inst.mask);
                a.source = AnnotationSource::Import;
                store.addAnnotation(a);
            }
            if (i % 3 == 0) store.setImageStatus(imageId, ImageStatus::Done);
        }
    });
    return projectPath.string();
}

}  // namespace samtok
