#pragma once
// The studio's keys: the Help ▸ Keyboard and Mouse sheet, built from the menus
// themselves so that it cannot disagree with them, and the check that no two
// actions share a key (Qt then runs neither and logs "Ambiguous shortcut").
#include <QString>
#include <QStringList>

class QMenuBar;
class QWidget;

namespace samtok::ui {

QString keyboardHelpHtml(const QMenuBar* bar);
// A scrollable dialog of keyboardHelpHtml, no taller than the screen.
void showKeyboardHelp(QWidget* parent, const QMenuBar* bar);
// "Key: first action, second action" for each key bound more than once among the window's actions and shortcuts.
QStringList shortcutClashes(const QWidget* window);
// The panel's buttons, combo boxes, sliders and check boxes take no keyboard focus (the mouse works as before), so
// that after using one the tool keys (B, C, Esc, ...) still reach the canvas. Text fields and spin boxes keep it.
void keepKeysOnCanvas(QWidget* panel);

}  // namespace samtok::ui
