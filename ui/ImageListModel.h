#pragma once
// The project's images as a list model. Rows are loaded from the store in one
// query; views are virtualised (uniform item sizes), so 10,000+ rows stay fluid.
#include "ProjectSession.h"
#include "store/Records.h"

#include <QAbstractListModel>
#include <QSortFilterProxyModel>

#include <optional>
#include <set>
#include <vector>

namespace samtok::ui {

class ThumbnailCache;

class ImageListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role { ImageIdRole = Qt::UserRole + 1, StatusRole, PathRole };

    explicit ImageListModel(QObject* parent = nullptr);
    static constexpr int kThumbnailHeight = 40;
    void reload(std::vector<ImageRef> rows);  // pushed by the window from the open project; empty clears

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    int rowOfImage(RowId id) const;                // -1 if absent
    void setStatus(RowId id, ImageStatus status);  // after the store has it

    static QString statusLabel(ImageStatus s);
    static QColor statusColor(ImageStatus s);

private:
    std::vector<ImageRef> rows_;
    ThumbnailCache* thumbnails_;
};

// Search by name and filter by status, on top of ImageListModel.
class ImageFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setStatusFilter(int status);  // -1: any
    void setNameFilter(const QString& text);
    // Only these images (the class filter); nullopt: all.
    void setImageSubset(std::optional<std::set<RowId>> ids);

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override;

private:
    int status_ = -1;
    QString name_;
    std::optional<std::set<RowId>> subset_;
};

}  // namespace samtok::ui
