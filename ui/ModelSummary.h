#pragma once
// The loaded model as the studio shows it: a Qt copy of pipeline::ActiveModel's
// identity and abilities, sent by the worker when a load finishes. The project
// session finds the model's tokens by its SHA-256.
#include <QMetaType>
#include <QString>

namespace samtok::ui {

struct ModelSummary {
    QString name;  // "samtok-micro" or the checkpoint's file name
    QString checkpoint;
    QString sha256;
    QString device;
    QString precision;  // "fp32" or "bf16"
    int threads = 0;
    qulonglong parameters = 0;
    bool canTokenize = false;
    bool canPrompt = false;
    int codebookSize = 256;  // the model's config: codes are 0..codebookSize-1 at each level
    bool isDefault = false;
};

}  // namespace samtok::ui

Q_DECLARE_METATYPE(samtok::ui::ModelSummary)
