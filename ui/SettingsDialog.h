#pragma once
// Preferences kept in QSettings: inference threads, device, precision and embedding cache,
// and the keyboard shortcut of every menu and tool action.
#include <QDialog>

class QSpinBox;
class QComboBox;
class QTableWidget;

namespace samtok::ui {

struct StudioSettings {
    int threads = 0;    // 0: every core; applies at the next start
    QString device;     // "cpu" or "cuda"; applies to the next model load
    QString precision;  // "fp32" or "bf16"; applies to the next model load
    int cacheMegabytes = 1024;

    static StudioSettings load();
    void save() const;
};

// Applies the saved shortcuts to the window's actions that have an object name.
void applySavedShortcuts(QWidget* window);

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(QWidget* window);
    void accept() override;

private:
    QWidget* window_;
    QSpinBox* threads_;
    QComboBox* device_;
    QComboBox* precision_;
    QSpinBox* cache_;
    QTableWidget* shortcuts_;
};

}  // namespace samtok::ui
