#pragma once
// The studio's icons, drawn from the SVGs of resources/icons (built into samtok_ui).
#include <QIcon>
#include <QString>

namespace samtok::ui {

// The application's own icon (window, start page; installed for the desktop entry too).
QIcon applicationIcon();
// A tool's icon by its file stem in resources/icons, e.g. "tool-brush".
QIcon resourceIcon(const QString& stem);

}  // namespace samtok::ui
