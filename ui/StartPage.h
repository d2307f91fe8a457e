#pragma once
// What the window shows with no project open: the ways to get one.
#include <QWidget>

class QListWidget;

namespace samtok::ui {

class StartPage : public QWidget {
    Q_OBJECT
public:
    explicit StartPage(QWidget* parent = nullptr);
    void setRecentProjects(const QStringList& paths);

signals:
    void newProjectRequested();
    void openProjectRequested();
    void sampleProjectRequested();
    void recentProjectRequested(const QString& path);

private:
    QListWidget* recent_;
};

}  // namespace samtok::ui
