#include "ThumbnailCache.h"

#include <QFile>
#include <QFileInfo>
#include <QPainter>
#include <QPointer>
#include <QRunnable>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace samtok::ui {

namespace {

// Large files decode at a quarter size directly (JPEG does it in the decoder), which keeps big photos cheap.
// Every thumbnail has the same size (4:3, `height` tall): the photo fits inside it, centred on transparency, so
// that names line up whatever the photo's shape.
QImage makeThumbnail(const QString& path, int height) {
    const bool large = QFileInfo(path).size() > (1 << 20);
    cv::Mat bgr =
        cv::imread(QFile::encodeName(path).toStdString(), large ? cv::IMREAD_REDUCED_COLOR_4 : cv::IMREAD_COLOR);
    if (bgr.empty()) return {};
    const int width = height * 4 / 3;
    const double scale = std::min(static_cast<double>(height) / bgr.rows, static_cast<double>(width) / bgr.cols);
    cv::Mat small;
    cv::resize(
        bgr, small,
        cv::Size(std::max(1, static_cast<int>(bgr.cols * scale)), std::max(1, static_cast<int>(bgr.rows * scale))), 0,
        0, cv::INTER_AREA);
    cv::cvtColor(small, small, cv::COLOR_BGR2RGB);
    const QImage photo(small.data, small.cols, small.rows, static_cast<int>(small.step), QImage::Format_RGB888);
    QImage out(width, height, QImage::Format_ARGB32_Premultiplied);
    out.fill(Qt::transparent);
    QPainter(&out).drawImage((width - photo.width()) / 2, (height - photo.height()) / 2, photo);
    return out;
}

}  // namespace

ThumbnailCache::ThumbnailCache(int height, QObject* parent) : QObject(parent), height_(height) {
    pool_.setMaxThreadCount(1);  // the inference thread needs the cores more
    cache_.setMaxCost(4000);     // previews, not bytes: a few MB
}

ThumbnailCache::~ThumbnailCache() {
    pool_.clear();
    pool_.waitForDone();
}

QPixmap ThumbnailCache::thumbnail(RowId id, const QString& path) {
    if (QPixmap* p = cache_.object(id)) return *p;
    if (pending_.contains(id)) return {};
    pending_.insert(id);
    QPointer<ThumbnailCache> self(this);
    const int h = height_;
    const quint64 generation = generation_;
    pool_.start([self, id, path, h, generation] {
        const QImage image = makeThumbnail(path, h);
        if (!self) return;
        QMetaObject::invokeMethod(
            self.data(),
            [self, id, image, generation] {
                if (!self || generation != self->generation_) return;
                self->pending_.remove(id);
                self->cache_.insert(id, new QPixmap(image.isNull() ? QPixmap() : QPixmap::fromImage(image)));
                emit self->ready(id);
            },
            Qt::QueuedConnection);
    });
    return {};
}

void ThumbnailCache::clear() {
    ++generation_;
    pool_.clear();
    cache_.clear();
    pending_.clear();
}

}  // namespace samtok::ui
