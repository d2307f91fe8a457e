#include "Icons.h"

namespace samtok::ui {

QIcon resourceIcon(const QString& stem) {
    return QIcon(QStringLiteral(":/icons/%1.svg").arg(stem));
}

QIcon applicationIcon() {
    return resourceIcon(QStringLiteral("samtok-studio"));
}

}  // namespace samtok::ui
