#include "ImagesPanel.h"

#include "ImageListModel.h"
#include "MaskOverlay.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QVBoxLayout>

namespace samtok::ui {

ImagesPanel::ImagesPanel(QWidget* parent)
    : QWidget(parent),
      images_(new ImageListModel(this)),
      filter_(new ImageFilterModel(this)),
      search_(new QLineEdit),
      statusFilter_(new QComboBox),
      classFilter_(new QComboBox),
      list_(new QListView),
      count_(new QLabel) {
    filter_->setSourceModel(images_);
    search_->setPlaceholderText(tr("Search by name"));
    search_->setClearButtonEnabled(true);
    statusFilter_->addItem(tr("All images"), -1);
    for (ImageStatus s : {ImageStatus::Unlabelled, ImageStatus::InProgress, ImageStatus::Done, ImageStatus::Reviewed})
        statusFilter_->addItem(ImageListModel::statusLabel(s), static_cast<int>(s));
    classFilter_->setObjectName("classFilter");
    classFilter_->setToolTip(tr("Only images with a region of this class"));
    list_->setModel(filter_);
    list_->setUniformItemSizes(true);  // virtualised layout: O(1) per row
    list_->setIconSize(QSize(ImageListModel::kThumbnailHeight * 4 / 3, ImageListModel::kThumbnailHeight));
    list_->setSelectionMode(QAbstractItemView::SingleSelection);
    list_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // Letters are tool shortcuts (B, C, P, ...), not the list's type-ahead search: keep the keyboard on the canvas.
    list_->setFocusPolicy(Qt::ClickFocus);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    for (QWidget* w :
         {static_cast<QWidget*>(search_), static_cast<QWidget*>(statusFilter_), static_cast<QWidget*>(classFilter_)})
        layout->addWidget(w);
    layout->addWidget(list_, 1);
    layout->addWidget(count_);

    connect(search_, &QLineEdit::textChanged, this, [this](const QString& t) { filter_->setNameFilter(t); });
    connect(statusFilter_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { filter_->setStatusFilter(statusFilter_->currentData().toInt()); });
    connect(classFilter_, qOverload<int>(&QComboBox::activated), this, [this] {
        const QVariant d = classFilter_->currentData();
        emit classFilterChosen(d.isValid() ? std::optional<RowId>(d.toLongLong()) : std::nullopt);
    });
    connect(list_->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex& i) {
        if (i.isValid()) emit currentImageChanged(i.data(ImageListModel::ImageIdRole).toLongLong());
    });
    connect(filter_, &QAbstractItemModel::modelReset, this, &ImagesPanel::updateCount);
    connect(filter_, &QAbstractItemModel::layoutChanged, this, &ImagesPanel::updateCount);
    connect(filter_, &QAbstractItemModel::rowsInserted, this, &ImagesPanel::updateCount);
    connect(filter_, &QAbstractItemModel::rowsRemoved, this, &ImagesPanel::updateCount);
    updateCount();
}

int ImagesPanel::imageCount() const {
    return images_->rowCount();
}

void ImagesPanel::reload(std::vector<ImageRef> images) {
    const QModelIndex current = list_->currentIndex();
    const RowId keep = current.isValid() ? current.data(ImageListModel::ImageIdRole).toLongLong() : 0;
    images_->reload(std::move(images));
    const int row = keep ? images_->rowOfImage(keep) : -1;
    if (row >= 0) list_->setCurrentIndex(filter_->mapFromSource(images_->index(row)));
    updateCount();
}

void ImagesPanel::setClasses(const std::vector<LabelClass>& classes) {
    classFilter_->clear();
    classFilter_->addItem(tr("Any class"), QVariant());
    for (const LabelClass& c : classes)
        classFilter_->addItem(colourSwatch(QColor(QString::fromStdString(c.color))), QString::fromStdString(c.name),
                              QVariant::fromValue<qlonglong>(c.id));
    filter_->setImageSubset(std::nullopt);
    updateCount();
}

void ImagesPanel::setClassSubset(std::optional<std::set<RowId>> images) {
    filter_->setImageSubset(std::move(images));
    updateCount();
}

void ImagesPanel::setStatus(RowId image, ImageStatus status) {
    images_->setStatus(image, status);
}

void ImagesPanel::selectImage(RowId image, bool dropFilters) {
    if (dropFilters) {
        statusFilter_->setCurrentIndex(0);
        classFilter_->setCurrentIndex(0);
        search_->clear();
        filter_->setStatusFilter(-1);
        filter_->setNameFilter({});
        filter_->setImageSubset(std::nullopt);
    }
    const int row = images_->rowOfImage(image);
    if (row >= 0) list_->setCurrentIndex(filter_->mapFromSource(images_->index(row)));
}

void ImagesPanel::selectFirst() {
    if (filter_->rowCount() > 0) list_->setCurrentIndex(filter_->index(0, 0));
}

void ImagesPanel::step(int delta) {
    const int rows = filter_->rowCount();
    if (rows == 0) return;
    const int row = std::clamp(list_->currentIndex().row() + delta, 0, rows - 1);
    list_->setCurrentIndex(filter_->index(row, 0));
}

bool ImagesPanel::selectNextNeedingWork() {
    const int rows = images_->rowCount();
    const QModelIndex current = filter_->mapToSource(list_->currentIndex());
    const int from = current.isValid() ? current.row() : -1;
    for (int k = 1; k <= rows; ++k) {
        const QModelIndex i = images_->index((from + k) % rows);
        const auto status = static_cast<ImageStatus>(i.data(ImageListModel::StatusRole).toInt());
        if (status != ImageStatus::Unlabelled && status != ImageStatus::InProgress) continue;
        if (!filter_->mapFromSource(i).isValid()) {  // hidden by a filter: show every image, then go there
            selectImage(i.data(ImageListModel::ImageIdRole).toLongLong(), /*dropFilters=*/true);
            return true;
        }
        if (i.row() == from) return true;  // the only one left is this one
        list_->setCurrentIndex(filter_->mapFromSource(i));
        return true;
    }
    return false;
}

std::vector<RowId> ImagesPanel::currentAndNeighbours() const {
    std::vector<RowId> out;
    const int row = list_->currentIndex().row();
    for (int r : {row, row + 1, row - 1})
        if (r >= 0 && r < filter_->rowCount())
            out.push_back(filter_->index(r, 0).data(ImageListModel::ImageIdRole).toLongLong());
    return out;
}

bool ImagesPanel::searchHasFocus() const {
    return search_->hasFocus();
}

void ImagesPanel::updateCount() {
    count_->setText(filter_->rowCount() == images_->rowCount()
                        ? tr("%n image(s)", nullptr, images_->rowCount())
                        : tr("%1 of %2 images").arg(filter_->rowCount()).arg(images_->rowCount()));
}

}  // namespace samtok::ui
