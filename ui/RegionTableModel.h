#pragma once
// The regions of the image shown, as a table model: id, class, round-trip IoU,
// tokens, area, box and source. The window pushes rows to it; views only show.
// Tokens of another tokenizer than the active model are greyed and named.
#include "ProjectSession.h"
#include "store/Records.h"

#include <QAbstractTableModel>
#include <QColor>

#include <optional>
#include <vector>

namespace samtok::ui {

struct RegionRow {
    Annotation region;  // its mask is not read by the model
    QString className;
    QColor classColor;
    std::optional<ShownTokens> tokens;
};

class RegionTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Id, Class, Iou, Tokens, Area, Box, Source, ColumnCount };
    enum Role { RegionIdRole = Qt::UserRole + 1 };

    explicit RegionTableModel(QObject* parent = nullptr);
    void setRows(std::vector<RegionRow> rows);
    void setFlagThreshold(double threshold);  // IoUs below it are drawn red
    int rowOfRegion(RowId id) const;          // -1 if absent
    RowId regionAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QVariant text(const RegionRow& r, int column) const;
    QVariant toolTip(const RegionRow& r, int column) const;

    std::vector<RegionRow> rows_;
    double flagThreshold_ = 0;
};

}  // namespace samtok::ui
