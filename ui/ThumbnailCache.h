#pragma once
// Small previews of the project's images, made on a background thread the
// first time a row is shown (a virtualised list asks only for visible rows)
// and kept in a bounded cache.
#include "store/Records.h"

#include <QCache>
#include <QImage>
#include <QObject>
#include <QPixmap>
#include <QSet>
#include <QThreadPool>

namespace samtok::ui {

class ThumbnailCache : public QObject {
    Q_OBJECT
public:
    explicit ThumbnailCache(int height, QObject* parent = nullptr);
    ~ThumbnailCache() override;

    // The preview, or a null pixmap while it is being made (ready() follows).
    QPixmap thumbnail(RowId imageId, const QString& path);
    void clear();
    int height() const { return height_; }

signals:
    void ready(samtok::RowId imageId);

private:
    int height_;
    QThreadPool pool_;
    QCache<RowId, QPixmap> cache_;
    QSet<RowId> pending_;
    quint64 generation_ = 0;  // a clear() makes older answers stale
};

}  // namespace samtok::ui
