#pragma once
// Model ▸ Get Model…: the official models (net::knownModels()) in a table, each downloaded on request with
// progress and cancel, resumably, verified by loading, then usable in one click. The download and its check run
// on a thread of their own (pipeline::fetchModel); the dialog is a view over KnownModelList.
#include <QAbstractTableModel>
#include <QDialog>

#include <atomic>
#include <memory>
#include <thread>

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

// One download at a time, off the UI thread.
class ModelDownloader : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~ModelDownloader() override;
    bool busy() const { return thread_.joinable() && !done_; }
    void start(const QString& name);
    void cancel() { cancel_ = true; }

signals:
    void progress(qint64 done, qint64 total);
    void finished(const QString& name, const QString& path, const QString& error);

private:
    std::thread thread_;
    std::atomic<bool> cancel_{false}, done_{true};
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
