#pragma once
// File ▸ Export Dataset: the MLLM exporters behind a dialog (target, tasks,
// split, seed, path policy, folder), run by the inference worker with progress
// and cancel, ending with the validator's verdict on every written file.
#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace samtok::ui {

class InferenceService;
struct ExportResult;

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    ExportDialog(InferenceService* inference, const QString& projectPath, QWidget* parent = nullptr);

    // For tests: fill the folder and start, as the buttons do.
    void setFolder(const QString& folder);
    void start();
    QString report() const;
    bool running() const { return running_; }

signals:
    void finished(bool ok);

private:
    QFormLayout* makeOptionsForm();  // format, tasks, family, split, paths, IoU floor, name, folder
    void onFinished(const ExportResult& r);

    InferenceService* inference_;
    QString projectPath_;
    QComboBox* target_;
    QComboBox* family_;
    QList<QCheckBox*> tasks_;
    QDoubleSpinBox* val_;
    QSpinBox* seed_;
    QComboBox* paths_;
    QLineEdit* folder_;
    QLineEdit* name_;
    QDoubleSpinBox* minIou_;
    QProgressBar* progress_;
    QPlainTextEdit* log_;
    QPushButton* exportButton_;
    QPushButton* cancelButton_;
    bool running_ = false;
};

}  // namespace samtok::ui
