#include "ToolsBar.h"

#include "ClassBox.h"
#include "Icons.h"

#include <QAction>
#include <QActionGroup>
#include <QLabel>
#include <QSettings>
#include <QSlider>

namespace samtok::ui {

namespace {

QString hintOf(const QAction* a) {
    return a->toolTip().replace('\n', QStringLiteral(" — "));
}

}  // namespace

ToolsBar::ToolsBar(QWidget* parent) : QToolBar(tr("Tools"), parent), tools_(new QActionGroup(this)) {
    setObjectName("toolsToolBar");
    setMovable(false);
    setToolButtonStyle(Qt::ToolButtonTextBesideIcon);  // icons to find a tool at a glance, names to learn them
    addTools();
    addSettings();
}

void ToolsBar::addTools() {
    struct ToolInfo {
        Tool tool;
        QString name, key, tip, icon;
    };
    const ToolInfo infos[] = {
        {Tool::Navigate, tr("Select"), tr("V"),
         tr("Select a region (click it); pan with space-drag or the middle button"), QStringLiteral("tool-select")},
        {Tool::Click, tr("Click"), tr("C"),
         tr("Left click: positive point; right or shift-click: negative; drag: box. Enter accepts, Tab cycles, Esc "
            "cancels"),
         QStringLiteral("tool-click")},
        {Tool::Brush, tr("Brush"), tr("B"),
         tr("Paint a new region, or add to the selected one. [ and ] or Ctrl+wheel: size"),
         QStringLiteral("tool-brush")},
        {Tool::Eraser, tr("Eraser"), tr("E"), tr("Erase from the selected region. [ and ] or Ctrl+wheel: size"),
         QStringLiteral("tool-eraser")},
        {Tool::Polygon, tr("Polygon"), tr("P"),
         tr("Click vertices; double-click, Enter or a click on the first vertex closes; Backspace removes the last"),
         QStringLiteral("tool-polygon")},
    };
    for (const auto& info : infos) {
        QAction* a = addAction(resourceIcon(info.icon), info.name);
        a->setCheckable(true);
        a->setShortcut(QKeySequence(info.key));
        a->setToolTip(QStringLiteral("%1 (%2)\n%3").arg(info.name, info.key, info.tip));
        a->setData(static_cast<int>(info.tool));
        a->setObjectName(QStringLiteral("tool") + info.name);
        tools_->addAction(a);
        if (info.tool == Tool::Click) a->setChecked(true);
    }
    connect(tools_, &QActionGroup::triggered, this,
            [this](QAction* a) { emit toolChosen(static_cast<Tool>(a->data().toInt()), hintOf(a)); });
}

void ToolsBar::addSettings() {
    addSeparator();
    addWidget(new QLabel(tr(" Opacity ")));
    auto* opacity = new QSlider(Qt::Horizontal);
    opacity->setObjectName("overlayOpacity");
    opacity->setRange(0, 100);
    opacity->setFixedWidth(90);
    opacity->setToolTip(tr("Opacity of the drawn regions"));
    connect(opacity, &QSlider::valueChanged, this, [this](int v) {
        QSettings().setValue(QStringLiteral("view/overlayOpacity"), v);
        emit opacityChanged(v / 100.0);
    });
    opacity->setValue(QSettings().value(QStringLiteral("view/overlayOpacity"), 100).toInt());
    addWidget(opacity);
    addSeparator();
    addWidget(new QLabel(tr(" Class ")));
    classBox_ = new ClassBox;
    addWidget(classBox_);
}

QList<QAction*> ToolsBar::toolActions() const {
    return tools_->actions();
}

Tool ToolsBar::currentTool() const {
    const QAction* a = tools_->checkedAction();
    return a ? static_cast<Tool>(a->data().toInt()) : Tool::Click;
}

QString ToolsBar::currentHint() const {
    const QAction* a = tools_->checkedAction();
    return a ? hintOf(a) : QString();
}

}  // namespace samtok::ui
