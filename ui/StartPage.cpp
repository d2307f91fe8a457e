#include "StartPage.h"

#include "Icons.h"

#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace samtok::ui {

StartPage::StartPage(QWidget* parent) : QWidget(parent) {
    auto* outer = new QVBoxLayout(this);
    outer->addStretch(1);
    auto* column = new QVBoxLayout;
    auto* logo = new QLabel;
    logo->setPixmap(applicationIcon().pixmap(QSize(96, 96)));
    logo->setAlignment(Qt::AlignCenter);
    column->addWidget(logo);
    auto* title =
        new QLabel(tr("<h1>SAMTok Studio</h1>"
                      "<p>Label image regions and turn each mask into its two SAMTok tokens.</p>"));
    title->setAlignment(Qt::AlignCenter);
    column->addWidget(title);

    auto button = [&](const QString& text, void (StartPage::*signal)()) {
        auto* b = new QPushButton(text);
        b->setMinimumHeight(36);
        connect(b, &QPushButton::clicked, this, signal);
        column->addWidget(b);
    };
    button(tr("New Project…"), &StartPage::newProjectRequested);
    button(tr("Open Project…"), &StartPage::openProjectRequested);
    button(tr("Open Sample Project"), &StartPage::sampleProjectRequested);

    column->addSpacing(16);
    column->addWidget(new QLabel(tr("Recent projects")));
    recent_ = new QListWidget;
    recent_->setMaximumHeight(160);
    connect(recent_, &QListWidget::itemActivated, this,
            [this](QListWidgetItem* item) { emit recentProjectRequested(item->data(Qt::UserRole).toString()); });
    column->addWidget(recent_);

    auto* row = new QHBoxLayout;
    row->addStretch(1);
    auto* box = new QWidget;
    box->setLayout(column);
    box->setMaximumWidth(460);
    row->addWidget(box, 2);
    row->addStretch(1);
    outer->addLayout(row);
    outer->addStretch(2);
}

void StartPage::setRecentProjects(const QStringList& paths) {
    recent_->clear();
    for (const QString& p : paths) {
        auto* item =
            new QListWidgetItem(QFileInfo(p).fileName() + QStringLiteral("   —   ") + QFileInfo(p).absolutePath());
        item->setData(Qt::UserRole, p);
        item->setToolTip(p);
        recent_->addItem(item);
    }
    if (paths.isEmpty()) {
        auto* none = new QListWidgetItem(tr("No recent projects"));
        none->setFlags(Qt::NoItemFlags);
        recent_->addItem(none);
    }
}

}  // namespace samtok::ui
