#pragma once
// Model ▸ Get Model…: the official models (net::knownModels()) in a table, each downloaded on request with
// progress and cancel, resumably, verified by loading, then usable in one click. The download and its check run
// on a thread of their own (pipeline::fetchModel); the dialog is a view over KnownModelList.
#include <QAbstractTableModel>
#include <QDialog>

#include <atomic>
#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableView;

namespace samtok::ui {

// The known models, with whether each is on disk.
class KnownModelList : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Use, Status, About, Columns };
    using QAbstractTableModel::QAbstractTableModel;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void refresh();  // after a download
};

// One download at a time, off the UI thread. The thread owns its state and reports through queued calls that
// check the downloader is still there, so closing the dialog never waits for a download (or its check) to end.
class ModelDownloader : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~ModelDownloader() override;
    bool busy() const { return state_ && !state_->done; }
    void start(const QString& name);
    void cancel() {
        if (state_) state_->cancel = true;
    }

signals:
    void progress(qint64 done, qint64 total);
    void finished(const QString& name, const QString& path, const QString& error);

private:
    struct State {
        std::atomic<bool> cancel{false}, done{false};
    };
    std::shared_ptr<State> state_;
};

class GetModelDialog : public QDialog {
    Q_OBJECT
public:
    explicit GetModelDialog(QWidget* parent = nullptr);
    ModelDownloader* downloader() const { return downloader_; }
    QTableView* table() const { return table_; }
    QPushButton* getButton() const { return get_; }

signals:
    // A downloaded model to load: a tokenizer, or SAM 2.1 for clicks.
    void useTokenizer(const QString& path);
    void usePrompts(const QString& path);

private:
    QString selectedName() const;
    void updateButtons();
    void onFinished(const QString& name, const QString& path, const QString& error);

    KnownModelList* list_;
    ModelDownloader* downloader_;
    QTableView* table_;
    QProgressBar* bar_;
    QLabel* message_;
    QPushButton *get_, *cancel_, *use_;
};

}  // namespace samtok::ui
