#include "ImageListModel.h"

#include "ThumbnailCache.h"

#include <QColor>
#include <QFileInfo>
#include <QIcon>
#include <QPainter>
#include <QPixmap>

namespace samtok::ui {

ImageListModel::ImageListModel(QObject* parent)
    : QAbstractListModel(parent), thumbnails_(new ThumbnailCache(kThumbnailHeight, this)) {
    connect(thumbnails_, &ThumbnailCache::ready, this, [this](RowId id) {
        const int row = rowOfImage(id);
        if (row >= 0) emit dataChanged(index(row), index(row), {Qt::DecorationRole});
    });
}

void ImageListModel::reload(std::vector<ImageRef> rows) {
    beginResetModel();
    thumbnails_->clear();
    rows_ = std::move(rows);
    endResetModel();
}

int ImageListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QString ImageListModel::statusLabel(ImageStatus s) {
    switch (s) {
        case ImageStatus::Unlabelled:
            return tr("Unlabelled");
        case ImageStatus::InProgress:
            return tr("In progress");
        case ImageStatus::Done:
            return tr("Done");
        case ImageStatus::Reviewed:
            return tr("Reviewed");
    }
    return {};
}

QColor ImageListModel::statusColor(ImageStatus s) {
    switch (s) {
        case ImageStatus::Unlabelled:
            return QColor(0x9e, 0x9e, 0x9e);
        case ImageStatus::InProgress:
            return QColor(0xf5, 0xa6, 0x23);
        case ImageStatus::Done:
            return QColor(0x2e, 0xa0, 0x43);
        case ImageStatus::Reviewed:
            return QColor(0x1f, 0x6f, 0xeb);
    }
    return {};
}

namespace {
QIcon statusIcon(ImageStatus s) {
    static QIcon cache[4];
    QIcon& icon = cache[static_cast<int>(s)];
    if (icon.isNull()) {
        QPixmap pm(12, 12);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        p.setBrush(ImageListModel::statusColor(s));
        p.setPen(Qt::NoPen);
        p.drawEllipse(1, 1, 10, 10);
        icon = QIcon(pm);
    }
    return icon;
}
}  // namespace

QVariant ImageListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const ImageRef& r = rows_[static_cast<std::size_t>(index.row())];
    switch (role) {
        case Qt::DisplayRole:
            return QFileInfo(r.storedPath).fileName();
        case Qt::ToolTipRole:
            return QStringLiteral("%1\n%2 x %3 px · %4")
                .arg(r.storedPath)
                .arg(r.width)
                .arg(r.height)
                .arg(statusLabel(r.status));
        case Qt::DecorationRole: {
            // The preview with the status dot in its corner; the dot alone until the preview is made.
            QPixmap thumb = thumbnails_->thumbnail(r.id, r.file);
            if (thumb.isNull()) return statusIcon(r.status);
            QPainter p(&thumb);
            p.setRenderHint(QPainter::Antialiasing);
            p.setPen(QPen(Qt::white, 1.5));
            p.setBrush(statusColor(r.status));
            p.drawEllipse(QRectF(2, 2, 11, 11));
            return thumb;
        }
        case ImageIdRole:
            return QVariant::fromValue<qlonglong>(r.id);
        case StatusRole:
            return static_cast<int>(r.status);
        case PathRole:
            return r.storedPath;
        default:
            return {};
    }
}

int ImageListModel::rowOfImage(RowId id) const {
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].id == id) return static_cast<int>(i);
    return -1;
}

void ImageListModel::setStatus(RowId id, ImageStatus status) {
    const int row = rowOfImage(id);
    if (row < 0) return;
    rows_[static_cast<std::size_t>(row)].status = status;
    emit dataChanged(index(row), index(row));
}

void ImageFilterModel::setImageSubset(std::optional<std::set<RowId>> ids) {
    subset_ = std::move(ids);
    invalidateFilter();
}

void ImageFilterModel::setStatusFilter(int status) {
    status_ = status;
    invalidateFilter();
}

void ImageFilterModel::setNameFilter(const QString& text) {
    name_ = text.trimmed();
    invalidateFilter();
}

bool ImageFilterModel::filterAcceptsRow(int row, const QModelIndex& parent) const {
    const QModelIndex i = sourceModel()->index(row, 0, parent);
    if (status_ >= 0 && i.data(ImageListModel::StatusRole).toInt() != status_) return false;
    if (subset_ && !subset_->count(i.data(ImageListModel::ImageIdRole).toLongLong())) return false;
    return name_.isEmpty() || i.data(ImageListModel::PathRole).toString().contains(name_, Qt::CaseInsensitive);
}

}  // namespace samtok::ui
