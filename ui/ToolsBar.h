#pragma once
// The tools toolbar: Select, Click, Brush, Eraser and Polygon (one checked at a
// time, each with its key), the overlay opacity, and the class of new regions.
// A view: it says which tool and opacity were chosen; the window applies them.
#include "ImageView.h"

#include <QList>
#include <QToolBar>

namespace samtok::ui {

class ClassBox;

class ToolsBar : public QToolBar {
    Q_OBJECT
public:
    explicit ToolsBar(QWidget* parent = nullptr);

    ClassBox* classBox() const { return classBox_; }
    QList<QAction*> toolActions() const;  // enabled while a project is open
    Tool currentTool() const;
    QString currentHint() const;  // what the current tool does, for the status bar

signals:
    void toolChosen(samtok::ui::Tool tool, const QString& hint);
    void opacityChanged(double opacity);  // 0..1, remembered across sessions

private:
    void addTools();
    void addSettings();

    QActionGroup* tools_;
    ClassBox* classBox_ = nullptr;
};

}  // namespace samtok::ui
