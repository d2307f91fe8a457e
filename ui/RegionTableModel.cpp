#include "RegionTableModel.h"

#include "MaskOverlay.h"
#include "tokens/TokenText.h"

#include <QApplication>
#include <QPalette>

namespace samtok::ui {

RegionTableModel::RegionTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void RegionTableModel::setRows(std::vector<RegionRow> rows) {
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

void RegionTableModel::setFlagThreshold(double threshold) {
    flagThreshold_ = threshold;
    if (!rows_.empty()) emit dataChanged(index(0, Iou), index(rowCount() - 1, Iou));
}

int RegionTableModel::rowOfRegion(RowId id) const {
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].region.id == id) return static_cast<int>(i);
    return -1;
}

RowId RegionTableModel::regionAt(int row) const {
    return row >= 0 && row < rowCount() ? rows_[static_cast<std::size_t>(row)].region.id : 0;
}

int RegionTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int RegionTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RegionTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::ToolTipRole && section == Iou)
        return tr("Round-trip IoU: the mask against the mask decoded from its two tokens");
    if (role != Qt::DisplayRole) return {};
    switch (section) {
        case Id:
            return tr("#");
        case Class:
            return tr("Class");
        case Iou:
            return tr("IoU");
        case Tokens:
            return tr("Tokens");
        case Area:
            return tr("Area (px)");
        case Box:
            return tr("Box (x, y, w, h)");
        case Source:
            return tr("Source");
        default:
            return {};
    }
}

QVariant RegionTableModel::text(const RegionRow& r, int column) const {
    const Annotation& a = r.region;
    const MaskTokens* t = r.tokens ? &r.tokens->tokens : nullptr;
    switch (column) {
        case Id:
            return QString::number(a.id);
        case Class:
            return r.className;
        case Iou:
            return t && t->reconstructionIou ? QString::number(*t->reconstructionIou, 'f', 3) : QString();
        case Tokens:
            return t ? QString::fromStdString(formatMaskTokens(*t, r.tokens->codebookSize)) : tr("—");
        case Area:
            return QString::number(a.area);
        case Box:
            return QStringLiteral("%1, %2, %3, %4").arg(a.bbox.x).arg(a.bbox.y).arg(a.bbox.width).arg(a.bbox.height);
        case Source:
            return QString::fromLatin1(toString(a.source));
        default:
            return {};
    }
}

QVariant RegionTableModel::toolTip(const RegionRow& r, int column) const {
    if (column == Tokens) {
        if (!r.tokens) return tr("Not tokenized yet (Model ▸ Tokenize Project)");
        const MaskTokens& t = r.tokens->tokens;
        const QString name = QString::fromStdString(r.tokens->tokenizer.name);
        return r.tokens->active
                   ? tr("Tokens of %1 (c0 %2, c1 %3)").arg(name).arg(t.c0).arg(t.c1)
                   : tr("Tokens of another tokenizer: %1 (SHA-256 %2…), not the loaded model")
                         .arg(name, QString::fromStdString(r.tokens->tokenizer.checkpointSha256.substr(0, 8)));
    }
    if (column == Iou && r.tokens && r.tokens->active && r.tokens->tokens.reconstructionIou &&
        *r.tokens->tokens.reconstructionIou < flagThreshold_)
        return tr("Rebuilt below the flag threshold %1 (F3: next flagged region)").arg(flagThreshold_);
    return {};
}

QVariant RegionTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const RegionRow& r = rows_[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    switch (role) {
        case Qt::DisplayRole:
            return text(r, column);
        case Qt::ToolTipRole:
            return toolTip(r, column);
        case Qt::DecorationRole:
            return column == Class ? QVariant(colourSwatch(r.classColor)) : QVariant();
        case Qt::ForegroundRole:
            if ((column == Iou || column == Tokens) && r.tokens && !r.tokens->active)
                return QApplication::palette().color(QPalette::Disabled, QPalette::Text);
            if (column == Iou && r.tokens && r.tokens->tokens.reconstructionIou &&
                *r.tokens->tokens.reconstructionIou < flagThreshold_)
                return QColor(0xd3, 0x2f, 0x2f);
            return {};
        case RegionIdRole:
            return QVariant::fromValue<qlonglong>(r.region.id);
        default:
            return {};
    }
}

}  // namespace samtok::ui
