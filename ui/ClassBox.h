#pragma once
// The toolbar's class chooser: "(no class)", the project's classes (the first
// nine numbered for the keys 1-9) and "New class…". A view: it says which class
// was chosen, or that a new one is wanted; the window asks for its name.
#include "store/Records.h"

#include <QComboBox>

#include <optional>
#include <vector>

namespace samtok::ui {

class ClassBox : public QComboBox {
    Q_OBJECT
public:
    explicit ClassBox(QWidget* parent = nullptr);

    void setClasses(const std::vector<LabelClass>& classes);  // keeps the current class if it is still there
    // Shows this class (nullopt: none) and says so through classChosen.
    void choose(std::optional<RowId> classId);
    // The key k (1-9): the k-th class, if there is one.
    void chooseNumber(int k);

signals:
    void classChosen(std::optional<samtok::RowId> classId);
    void newClassRequested();

private:
    void onActivated(int index);
};

}  // namespace samtok::ui
