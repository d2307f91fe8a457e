#include "GetModelDialog.h"

#include "net/ModelCatalog.h"
#include "pipeline/ModelFetch.h"
#include "util/Error.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QMetaObject>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include <functional>
#include <thread>

namespace samtok::ui {

int KnownModelList::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(net::knownModels().size());
}

int KnownModelList::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : Columns;
}

QVariant KnownModelList::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || role != Qt::DisplayRole) return {};
    const net::KnownModel& m = net::knownModels().at(static_cast<std::size_t>(index.row()));
    switch (index.column()) {
        case Name:
            return QString::fromStdString(m.name);
        case Use:
            return m.role == net::ModelRole::Tokenizer ? tr("tokenizer") : tr("clicks");
        case Status:
            return net::downloadedModel(m.name) ? tr("downloaded") : tr("not downloaded");
        case About:
            return QString::fromStdString(m.about);
    }
    return {};
}

QVariant KnownModelList::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    const QString names[] = {tr("Model"), tr("For"), tr("Status"), tr("About")};
    return section >= 0 && section < Columns ? names[section] : QVariant();
}

void KnownModelList::refresh() {
    emit dataChanged(index(0, Status), index(rowCount() - 1, Status));
}

ModelDownloader::~ModelDownloader() {
    cancel();  // the thread stops at its next progress report and drops its reports to this object
}

void ModelDownloader::start(const QString& name) {
    if (busy()) return;
    state_ = std::make_shared<State>();
    QPointer<ModelDownloader> self(this);
    std::thread([self, state = state_, name] {
        // Runs on the UI thread, where `self` can be checked.
        auto post = [self](std::function<void(ModelDownloader*)> f) {
            QMetaObject::invokeMethod(qApp, [self, f] {
                if (self) f(self);
            });
        };
        QString path, error;
        try {
            const net::KnownModel* m = net::findKnownModel(name.toStdString());
            if (!m) throw UserError("unknown model '" + name.toStdString() + "'");
            net::DownloadOptions o;
            o.cancel = &state->cancel;
            o.progress = [post](std::uint64_t done, std::uint64_t total) {
                post([done, total](ModelDownloader* d) {
                    emit d->progress(static_cast<qint64>(done), static_cast<qint64>(total));
                });
            };
            path = QString::fromStdString(pipeline::fetchModel(*m, o).path);
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        state->done = true;
        post([name, path, error](ModelDownloader* d) { emit d->finished(name, path, error); });
    }).detach();
}

GetModelDialog::GetModelDialog(QWidget* parent)
    : QDialog(parent), list_(new KnownModelList(this)), downloader_(new ModelDownloader(this)) {
    setWindowTitle(tr("Get Model"));
    resize(760, 360);
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("The official models, downloaded into %1. The SAMTok tokenizer makes the tokens "
                                "Qwen-VL-SAMTok models read; SAM 2.1 answers clicks and boxes. The embedded model "
                                "needs no download.")
                                 .arg(QString::fromStdString(net::modelsDir())));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    table_ = new QTableView;
    table_->setModel(list_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->hide();
    table_->resizeColumnsToContents();
    layout->addWidget(table_, 1);
    bar_ = new QProgressBar;
    bar_->hide();
    layout->addWidget(bar_);
    message_ = new QLabel;
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(message_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    get_ = buttons->addButton(tr("&Get"), QDialogButtonBox::ActionRole);
    cancel_ = buttons->addButton(tr("&Stop"), QDialogButtonBox::ActionRole);
    use_ = buttons->addButton(tr("&Use"), QDialogButtonBox::ActionRole);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(get_, &QPushButton::clicked, this, [this] {
        message_->setText(tr("Getting %1…").arg(selectedName()));
        bar_->setRange(0, 0);
        bar_->show();
        downloader_->start(selectedName());
        updateButtons();
    });
    connect(cancel_, &QPushButton::clicked, downloader_, &ModelDownloader::cancel);
    connect(use_, &QPushButton::clicked, this, [this] {
        const net::KnownModel* m = net::findKnownModel(selectedName().toStdString());
        const auto path = m ? net::downloadedModel(m->name) : std::nullopt;
        if (!path) return;
        if (m->role == net::ModelRole::Tokenizer)
            emit useTokenizer(QString::fromStdString(*path));
        else
            emit usePrompts(QString::fromStdString(*path));
        accept();
    });
    connect(downloader_, &ModelDownloader::progress, this, [this](qint64 done, qint64 total) {
        if (total <= 0) return;
        bar_->setRange(0, 1000);
        bar_->setValue(static_cast<int>(done * 1000 / total));
        bar_->setFormat(tr("%1 of %2 MB").arg(done / 1000000).arg(total / 1000000));
    });
    connect(downloader_, &ModelDownloader::finished, this, &GetModelDialog::onFinished);
    connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &GetModelDialog::updateButtons);
    table_->selectRow(0);
    updateButtons();
}

QString GetModelDialog::selectedName() const {
    const QModelIndexList rows = table_->selectionModel()->selectedRows(KnownModelList::Name);
    return rows.isEmpty() ? QString() : rows.first().data().toString();
}

void GetModelDialog::updateButtons() {
    const bool busy = downloader_->busy();
    const bool there = net::downloadedModel(selectedName().toStdString()).has_value();
    get_->setEnabled(!busy && !selectedName().isEmpty() && !there);
    cancel_->setEnabled(busy);
    use_->setEnabled(!busy && there);
}

void GetModelDialog::onFinished(const QString& name, const QString& path, const QString& error) {
    bar_->hide();
    list_->refresh();
    message_->setText(error.isEmpty() ? tr("%1 is downloaded and verified: %2").arg(name, path) : error);
    updateButtons();
}

}  // namespace samtok::ui
