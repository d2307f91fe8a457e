#include "KeyboardHelp.h"

#include <QAbstractButton>
#include <QAbstractSlider>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QMap>
#include <QMenu>
#include <QMenuBar>
#include <QScreen>
#include <QSet>
#include <QShortcut>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace samtok::ui {

namespace {

// The rows of a menu and its submenus: the key (or the key a menu item names after a tab) and the item.
QString menuRows(const QMenu* menu, const QString& prefix = {}) {
    QString rows;
    for (QAction* a : menu->actions()) {
        if (a->isSeparator()) continue;
        QString text = a->text();
        if (a->menu()) {
            rows += menuRows(a->menu(), prefix + text.remove('&') + QStringLiteral(" ▸ "));
            continue;
        }
        QString key = a->shortcut().toString(QKeySequence::NativeText);
        if (const int tab = text.indexOf('\t'); tab >= 0) key = text.mid(tab + 1), text = text.left(tab);
        if (key.isEmpty()) continue;
        rows += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                    .arg(key.toHtmlEscaped(), (prefix + text.remove('&')).toHtmlEscaped());
    }
    return rows;
}

QString nameOf(const QObject* o) {
    if (const auto* a = qobject_cast<const QAction*>(o)) {
        QString text = a->text();
        return text.left(text.indexOf('\t')).remove('&');
    }
    return o->objectName().isEmpty() ? QString::fromLatin1(o->metaObject()->className()) : o->objectName();
}

}  // namespace

QString keyboardHelpHtml(const QMenuBar* bar) {
    QString html = QObject::tr(
        "<h3>Canvas</h3><table cellpadding=3>"
        "<tr><td><b>Click tool</b></td><td>left click: positive point; right or shift-click: negative point; "
        "drag: box</td></tr>"
        "<tr><td><b>Enter / Tab / Esc</b></td><td>accept the candidate / next candidate / cancel (or "
        "deselect)</td></tr>"
        "<tr><td><b>Shift+Enter / Alt+Enter</b></td><td>add the candidate to / cut it from the selected "
        "region</td></tr>"
        "<tr><td><b>Brush, Eraser</b></td><td>drag to paint; a selected region grows or shrinks, otherwise "
        "the brush makes a new one; [ and ] or Ctrl+wheel: size</td></tr>"
        "<tr><td><b>Polygon</b></td><td>click vertices; double-click, Enter or the first vertex closes; "
        "Backspace or right click removes the last; Edit ▸ Polygon Subtracts cuts holes</td></tr>"
        "<tr><td><b>Select tool</b></td><td>click a region to select it (the smallest one under the cursor)</td></tr>"
        "<tr><td><b>Wheel / space-drag / middle drag</b></td><td>zoom / pan / pan</td></tr>"
        "<tr><td><b>1 … 9</b></td><td>class of new regions and of the selected one</td></tr>"
        "</table><h3>Menus</h3><table cellpadding=3>");
    for (QAction* menu : bar->actions())
        if (menu->menu()) html += menuRows(menu->menu());
    html += QStringLiteral("</table>");
    return html;
}

void showKeyboardHelp(QWidget* parent, const QMenuBar* bar) {
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Keyboard and Mouse"));
    auto* text = new QTextBrowser;
    text->setHtml(keyboardHelpHtml(bar));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(&dialog);
    layout->addWidget(text);
    layout->addWidget(buttons);
    // As tall as the screen allows; the rest scrolls.
    const QScreen* screen = parent ? parent->screen() : QApplication::primaryScreen();
    const int available = screen ? screen->availableGeometry().height() : 768;
    dialog.resize(640, std::min(720, available - 80));
    dialog.exec();
}

QStringList shortcutClashes(const QWidget* window) {
    QMap<QString, QStringList> byKey;
    QMap<QString, QSet<const QObject*>> owners;  // an action may list a key twice (Redo: Ctrl+Y twice on X11)
    auto add = [&](const QKeySequence& k, const QObject* o) {
        const QString key = k.toString(QKeySequence::PortableText);
        if (k.isEmpty() || owners[key].contains(o)) return;
        owners[key].insert(o);
        byKey[key] << nameOf(o);
    };
    for (const QAction* a : window->findChildren<QAction*>()) {
        if (a->menu() || a->isSeparator()) continue;
        for (const QKeySequence& k : a->shortcuts()) add(k, a);
    }
    for (const QShortcut* s : window->findChildren<QShortcut*>()) add(s->key(), s);
    QStringList clashes;
    for (auto it = byKey.cbegin(); it != byKey.cend(); ++it)
        if (it.value().size() > 1)
            clashes << QStringLiteral("%1: %2").arg(it.key(), it.value().join(QStringLiteral(", ")));
    return clashes;
}

void keepKeysOnCanvas(QWidget* panel) {
    for (QAbstractButton* b : panel->findChildren<QAbstractButton*>()) b->setFocusPolicy(Qt::NoFocus);
    for (QComboBox* c : panel->findChildren<QComboBox*>())
        if (!c->isEditable()) c->setFocusPolicy(Qt::NoFocus);
    for (QAbstractSlider* s : panel->findChildren<QAbstractSlider*>()) s->setFocusPolicy(Qt::NoFocus);
}

}  // namespace samtok::ui
