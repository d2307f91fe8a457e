#pragma once
// The Images dock: the project's images as a virtualised list, with a search by
// name and filters by status and by class, and the count of what is shown. A
// view: the window pushes the images and classes, and hears which image the
// user moved to and which class filter was chosen.
#include "ProjectSession.h"
#include "store/Records.h"

#include <QWidget>

#include <optional>
#include <set>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QListView;

namespace samtok::ui {

class ImageFilterModel;
class ImageListModel;

class ImagesPanel : public QWidget {
    Q_OBJECT
public:
    explicit ImagesPanel(QWidget* parent = nullptr);

    QListView* list() const { return list_; }
    ImageFilterModel* filter() const { return filter_; }
    int imageCount() const;  // in the project, whatever the filters show

    // The project's images; the current one stays current if it is still there.
    void reload(std::vector<ImageRef> images);
    void setClasses(const std::vector<LabelClass>& classes);
    // The images the chosen class filter lets through (nullopt: all).
    void setClassSubset(std::optional<std::set<RowId>> images);
    void setStatus(RowId image, ImageStatus status);
    // Makes this image current; `dropFilters` first clears every filter, so that it is reachable.
    void selectImage(RowId image, bool dropFilters);
    void selectFirst();
    void step(int delta);
    // The next image after the current one (wrapping around) that is unlabelled or in progress; false when none is.
    bool selectNextNeedingWork();
    // The current image and its neighbours in the shown order, the ones worth embedding ahead.
    std::vector<RowId> currentAndNeighbours() const;
    bool searchHasFocus() const;

signals:
    void currentImageChanged(samtok::RowId image);
    void classFilterChosen(std::optional<samtok::RowId> classId);

private:
    void updateCount();

    ImageListModel* images_;
    ImageFilterModel* filter_;
    QLineEdit* search_;
    QComboBox* statusFilter_;
    QComboBox* classFilter_;
    QListView* list_;
    QLabel* count_;
};

}  // namespace samtok::ui
